"""Jobs of the surveys domain: create the survey requests that are due (事後アンケート of completed
engagements not yet asked, e.g. past years' records; the follow-up survey in FY+1)."""
from __future__ import annotations

import datetime as dt

from app.core.clock import to_jst
from app.scheduling import cron, job
from app.surveys.requests import ensure_survey_requests


@job("surveys.requests", trigger=cron(hour=6, minute=30), description="事後・追跡アンケートの依頼作成")
def create_due_requests(tenant, now: dt.datetime) -> str:
    """Create the missing survey requests of `tenant` as of `now` (idempotent: one request per
    engagement and kind). Returns a short Japanese summary."""
    created = ensure_survey_requests(tenant, today=to_jst(now).date())
    return f"アンケート依頼 {len(created)}件を作成"
