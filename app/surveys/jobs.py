"""Jobs of the surveys domain: create the survey requests that are due (事後アンケート of completed
engagements not yet asked, e.g. past years' records; the follow-up survey in FY+1), and remind the
municipalities of unanswered ones every week until they answer."""
from __future__ import annotations

import datetime as dt

from app.auth.models import Role
from app.core.clock import to_jst
from app.notifications.recipients import staff_by_organisation
from app.scheduling import cron, job
from app.surveys.notices import queue_reminder_notice, reminder_candidates
from app.surveys.requests import ensure_survey_requests, record_reminder
from app.tenancy.models import OrganisationKind


@job("surveys.requests", trigger=cron(hour=6, minute=30), description="事後・追跡アンケートの依頼作成")
def create_due_requests(tenant, now: dt.datetime) -> str:
    """Create the missing survey requests of `tenant` as of `now` (idempotent: one request per
    engagement and kind). Returns a short Japanese summary."""
    created = ensure_survey_requests(tenant, today=to_jst(now).date())
    return f"アンケート依頼 {len(created)}件を作成"


def _municipal_staff(tenant):
    """`{municipality_id: [active municipal staff]}` (one query for the whole run)."""
    return staff_by_organisation(tenant, Role.MUNICIPAL, organisation_kind=OrganisationKind.MUNICIPALITY)


@job("surveys.reminders", trigger=cron(hour=6, minute=40), description="未回答アンケートの督促（週1回、回答まで）")
def send_reminders(tenant, now: dt.datetime) -> str:
    """Every morning: for each unanswered request whose reminder is due on today's JST date
    (`notices.reminder_candidates`: from 3 days before `due_on`, then every 7 days, until answered),
    queue the reminder notice to the municipality's staff and record it on the request.

    The private answer link is not re-issued here, unlike the operator's 「未回答者へ督促」: a new
    token would silently kill a link the operator has just passed on, and the token would have to go
    into mail unseen by anyone; the notice links the survey page, where staff answer after login.
    A request whose municipality has no active staff is not marked reminded (nobody was told).
    """
    today, staff, reminded, queued = to_jst(now).date(), _municipal_staff(tenant), 0, 0
    for request in reminder_candidates(tenant, today):
        rows = queue_reminder_notice(tenant, request, staff.get(request.engagement.municipality_id, []))
        if rows:
            record_reminder(request, actor=None, now=now)
            reminded, queued = reminded + 1, queued + len(rows)
    return f"アンケート督促 {reminded}件（お知らせ {queued}通）"
