"""Jobs of the surveys domain: create the survey requests that are due (事後アンケート of completed
engagements not yet asked, e.g. past years' records; the follow-up survey in FY+1), and remind the
municipalities of unanswered ones from `survey_reminder_days_before` days before the due date, then
every `survey_reminder_every_days` days until they answer (defaults 3 and 7; tenant [notices] or the
通知設定 of the engagement's call)."""
from __future__ import annotations

import datetime as dt

from app.auth.models import Role
from app.core.clock import to_jst
from app.notifications.recipients import staff_by_organisation
from app.notifications.timings import MAX_DAYS, timings_by_call
from app.scheduling import cron, job
from app.surveys.notices import queue_reminder_notice, reminder_candidates
from app.surveys.models import SurveyRequest
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


def _timing(tenant):
    """`request -> (days_before, every_days)` from the timings of each request's engagement's call."""
    timings_of = timings_by_call(tenant)

    def timing(request: SurveyRequest) -> tuple[int, int]:
        timings = timings_of(request.engagement.call_id)
        return timings.survey_reminder_days_before, timings.survey_reminder_every_days
    return timing


def next_reminder_on(request: SurveyRequest, today: dt.date, days_before: int, every_days: int) -> dt.date:
    """The next JST date (today or later) the reminder of an unanswered `request` is due."""
    start = request.due_on - dt.timedelta(days=days_before)
    if request.last_reminded_at is not None:
        start = max(start, to_jst(request.last_reminded_at).date() + dt.timedelta(days=every_days))
    return max(start, today)


def _planned_reminders(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    today, timing = to_jst(now).date(), _timing(tenant)
    return [(next_reminder_on(r, today, *timing(r)), f"{r.engagement.municipality.name} {r.kind.label}の督促")
            for r in reminder_candidates(tenant, today, lambda r: (MAX_DAYS, 0), horizon_days=MAX_DAYS)]


@job("surveys.reminders", trigger=cron(hour=6, minute=40), planned=_planned_reminders,
     description="未回答アンケートの督促（回答まで定期的に）")
def send_reminders(tenant, now: dt.datetime) -> str:
    """Every morning: for each unanswered request whose reminder is due on today's JST date
    (`notices.reminder_candidates`: from `survey_reminder_days_before` days before `due_on`, then
    every `survey_reminder_every_days` days, until answered),
    queue the reminder notice to the municipality's staff and record it on the request.

    The private answer link is not re-issued here, unlike the operator's 「未回答者へ督促」: a new
    token would silently kill a link the operator has just passed on, and the token would have to go
    into mail unseen by anyone; the notice links the survey page, where staff answer after login.
    A request whose municipality has no active staff is not marked reminded (nobody was told).
    """
    today, staff, reminded, queued = to_jst(now).date(), _municipal_staff(tenant), 0, 0
    for request in reminder_candidates(tenant, today, _timing(tenant), horizon_days=MAX_DAYS):
        rows = queue_reminder_notice(tenant, request, staff.get(request.engagement.municipality_id, []))
        if rows:
            record_reminder(request, actor=None, now=now)
            reminded, queued = reminded + 1, queued + len(rows)
    return f"アンケート督促 {reminded}件（お知らせ {queued}通）"
