"""Jobs of the engagements domain (issue 6 §3): notices to the provider's staff when an engagement
is 滞留 (stale; rule in `app.engagements.overdue`), when its 実績報告 is due within
`report_due_days_before` days, and every `report_overdue_every_days` days while the report is overdue,
until it is filed (both default 7; tenant [notices] or the 通知設定 of the engagement's call).

What is due is computed from stored state and `now` (JST dates), and every notice has a dedupe key
per engagement, occasion and user, so a re-run, a second scheduler or a catch-up never queues twice.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.auth.models import Role, User
from app.core.clock import to_jst
from app.core.wareki import format_date
from app.engagements.models import Engagement
from app.engagements.states import EngagementState
from app.engagements.models import SupportSession
from app.engagements.overdue import report_due_on, report_missing, stale_clause
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.recipients import staff_by_organisation
from app.notifications.services import app_url, queue_bulk
from app.notifications.timings import NoticeTimings, notice_timings, timings_by_call
from app.scheduling import cron, job

STALE, REPORT_DUE, REPORT_OVERDUE = "engagements.stale", "engagements.report_due", "engagements.report_overdue"


def iso_week(day: dt.date) -> str:
    """The ISO week of `day` as "2025-W03" (the once-a-week part of a dedupe key)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _values(tenant, engagement: Engagement, **extra):
    def values(user: User) -> dict:
        return {"menu_item": engagement.menu_item.title, "municipality": engagement.municipality.name,
                "provider": engagement.provider.name,
                "weeks": notice_timings(tenant).stale_after_weeks, **extra}
    return values


def _queue(tenant, engagement: Engagement, kind: str, key: str, staff, **extra) -> list[Notification]:
    link = app_url("engagements.detail", tenant_slug=tenant.slug, engagement_id=engagement.id)
    return queue_bulk(tenant, staff.get(engagement.provider_id, []), kind, _values(tenant, engagement, **extra),
                      lambda u: f"{key}:{u.id}", link)


def _engagements(tenant, where) -> list[Engagement]:
    stmt = sa.select(Engagement).where(Engagement.tenant_id == tenant.id, where).order_by(Engagement.id)
    return list(db.session.scalars(stmt))


def _planned_stale(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    """In-progress engagements: the day their last session (or kickoff) becomes `stale_after_weeks` old."""
    weeks = notice_timings(tenant).stale_after_weeks
    last = (sa.select(sa.func.max(SupportSession.held_on)).where(SupportSession.engagement_id == Engagement.id)
            .scalar_subquery())
    rows = db.session.execute(sa.select(Engagement, last).where(Engagement.tenant_id == tenant.id,
                                                                Engagement.state == EngagementState.IN_PROGRESS)).all()
    today, planned = to_jst(now).date(), []
    for engagement, held_on in rows:
        since = held_on or (to_jst(engagement.kickoff_at).date() if engagement.kickoff_at else None)
        if since is not None:
            planned.append((max(today, since + dt.timedelta(weeks=weeks)),
                            f"{engagement.municipality.name}・{engagement.menu_item.title} 滞留のお知らせ（記録がなければ）"))
    return planned


@job("engagements.stale_notices", trigger=cron(hour=7, minute=20), planned=_planned_stale,
     description="滞留している支援案件のお知らせ（会員企業、週1回まで）")
def stale_notices(tenant, now: dt.datetime) -> str:
    """Every morning (07:20 JST): for each engagement stale on today's JST date (`stale_clause`: no
    session for `stale_after_weeks` weeks, or behind its planned dates), notify the provider's
    active staff, at most once per ISO week per engagement and user (key
    "engagements.stale:<engagement>:<week>:<user>"). Stops when a session is logged."""
    today = to_jst(now).date()
    engagements = _engagements(tenant, stale_clause(tenant, today))
    staff = staff_by_organisation(tenant, Role.PROVIDER, organisation_ids=[e.provider_id for e in engagements])
    queued = sum(len(_queue(tenant, e, STALE, f"{STALE}:{e.id}:{iso_week(today)}", staff)) for e in engagements)
    return f"滞留のお知らせ {queued} 件"


def report_notice(engagement: Engagement, tenant, today: dt.date,
                  timings: NoticeTimings | None = None) -> tuple[str, str] | None:
    """(kind, dedupe key prefix) of the report notice due on `today` for an engagement whose report
    is missing, or None: "report_due" once from `report_due_days_before` days before the due date up
    to it, then "report_overdue" number n = 1, 2, … every `report_overdue_every_days` days from the
    day after the due date. `timings` default: those of the engagement's call."""
    timings = timings or timings_by_call(tenant)(engagement.call_id)
    due = report_due_on(engagement, tenant)
    if due is None or today < due - dt.timedelta(days=timings.report_due_days_before):
        return None
    if today <= due:
        return REPORT_DUE, f"{REPORT_DUE}:{engagement.id}:{due.isoformat()}"
    number = ((today - due).days - 1) // timings.report_overdue_every_days + 1
    return REPORT_OVERDUE, f"{REPORT_OVERDUE}:{engagement.id}:{number}"


def next_report_notice_on(due: dt.date, today: dt.date, timings: NoticeTimings) -> dt.date:
    """The next JST date (today or later) on which a report notice goes out for a report due on `due`."""
    if today <= due:
        return max(today, due - dt.timedelta(days=timings.report_due_days_before))
    every = timings.report_overdue_every_days
    occasions = -(-((today - due).days - 1) // every)  # overdue notices fall on due+1, due+1+every, …
    return due + dt.timedelta(days=1 + occasions * every)


def _planned_report(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    today, timings_of = to_jst(now).date(), timings_by_call(tenant)
    return [(next_report_notice_on(due, today, timings_of(e.call_id)), f"{e.municipality.name}・{e.menu_item.title} 実績報告のお知らせ")
            for e in _engagements(tenant, report_missing()) if (due := report_due_on(e, tenant))]


@job("engagements.report_notices", trigger=cron(hour=7, minute=25), planned=_planned_report,
     description="実績報告の提出期限前・期限超過のお知らせ（会員企業、超過中は週1回）")
def report_notices(tenant, now: dt.datetime) -> str:
    """Every morning (07:25 JST): for each COMPLETED engagement without a filed report (or with a
    returned one, `report_missing`), queue to the provider's active staff the notice due today
    (`report_notice`). Stops when the report is filed."""
    today, queued, timings_of = to_jst(now).date(), 0, timings_by_call(tenant)
    engagements = _engagements(tenant, report_missing())
    staff = staff_by_organisation(tenant, Role.PROVIDER, organisation_ids=[e.provider_id for e in engagements])
    for engagement in engagements:
        notice = report_notice(engagement, tenant, today, timings_of(engagement.call_id))
        if notice:
            due = format_date(report_due_on(engagement, tenant))
            queued += len(_queue(tenant, engagement, notice[0], notice[1], staff, due_on=due))
    return f"実績報告のお知らせ {queued} 件"
