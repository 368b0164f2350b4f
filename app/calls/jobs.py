"""Jobs of the calls domain: the call-open notice (募集開始のお知らせ) to every municipality, the
separate nudge to priority municipalities that have not applied, and the closing reminder (from
`call_closing_days_before` days before the applications end: tenant [notices] or the call's 通知設定).

Each recipient gets at most one of each per call (dedupe keys "calls.open:<call>:<user>", …), so a
re-run, a second scheduler or the operator's 「送信」 on the preview page never queue twice. What is
due is computed from the call and `now`, so a run missed during downtime is caught up by the next.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.applications.models import Application
from app.applications.states import ApplicationState
from app.auth.models import Role, User
from app.calls.models import Call, CallWindow
from app.calls.states import CallModel, CallPhase
from app.core.clock import to_jst
from app.core.wareki import fiscal_year_label, format_date
from app.coverage.queries import active_municipalities, is_priority, support_years
from app.extensions import db
from app.notifications.bulk import Batch
from app.notifications.recipients import active_staff
from app.notifications.services import app_url
from app.notifications.timings import notice_timings
from app.scheduling import cron, job
from app.tenancy.models import OrganisationKind

OPEN, NUDGE, CLOSING = "calls.open", "calls.priority_nudge", "calls.closing_soon"
# An application counts as made once submitted (a draft still gets the nudge and the reminder).
MADE = (ApplicationState.SUBMITTED, ApplicationState.RETURNED, ApplicationState.SELECTED, ApplicationState.NOT_SELECTED)
ORDER = list(CallPhase)


def annual_calls(tenant) -> list[Call]:
    """Annual calls of `tenant` (continuous / on-demand calls have no call-open notice)."""
    stmt = sa.select(Call).where(Call.tenant_id == tenant.id, Call.call_model == CallModel.ANNUAL).order_by(Call.fiscal_year)
    return list(db.session.scalars(stmt))


def applications_window(call: Call) -> CallWindow | None:
    """The planned 申込受付 window (tenant.toml [calendar] `applications`, editable per call)."""
    return call.window(CallPhase.APPLICATIONS)


def is_open_on(call: Call, day: dt.date) -> bool:
    """True when applications are taken on `day` (JST): the stored phase is 申込受付, or the call has
    gone past it and `day` lies inside the planned window (a date replayed with `--at`, or a run
    caught up after downtime). Before 申込受付 nothing is announced, even when the calendar date is
    reached: the menu is not published yet and the app would refuse the applications."""
    if call.phase == CallPhase.APPLICATIONS:
        return True
    window = applications_window(call)
    reached = ORDER.index(call.phase) > ORDER.index(CallPhase.APPLICATIONS)
    return bool(window and reached and window.starts_on <= day <= window.ends_on)


def municipal_users(tenant) -> list[User]:
    """Active municipal staff of the tenant's active municipalities, by municipality (one query)."""
    return active_staff(tenant, Role.MUNICIPAL, organisation_kind=OrganisationKind.MUNICIPALITY)


def applied_ids(tenant, call: Call) -> set[int]:
    """Municipalities with a submitted (or decided) application in `call`."""
    stmt = sa.select(Application.municipality_id).where(
        Application.tenant_id == tenant.id, Application.call_id == call.id, Application.state.in_(MADE))
    return set(db.session.scalars(stmt))


def priority_ids(tenant, call: Call) -> set[int]:
    """Priority municipalities of `call`: not supported in the `priority_lookback_years` before its
    fiscal year (priority rule, 001:170; app.coverage.queries)."""
    years = support_years(tenant)
    return {m.id for m in active_municipalities(tenant)
            if is_priority(years.get(m.id, set()), call.fiscal_year, call.priority_lookback_years)}


def message_values(call: Call, days_left: int | None = None):
    """A function `user -> placeholders` for the call's templates (call_title, starts_on, ends_on, …)."""
    window = applications_window(call)

    def values(user: User) -> dict:
        return {"call_title": call.title, "fiscal_year": fiscal_year_label(call.fiscal_year),
                "municipality": user.organisation.name if user.organisation else "",
                "starts_on": format_date(window.starts_on) if window else "",
                "ends_on": format_date(window.ends_on) if window else "",
                "lookback": call.priority_lookback_years, "days_left": days_left if days_left is not None else ""}
    return values


def open_notice_recipients(tenant, call: Call) -> tuple[list[User], list[User]]:
    """(every municipal user, the users of priority municipalities without an application)."""
    users = municipal_users(tenant)
    nudge = priority_ids(tenant, call) - applied_ids(tenant, call)
    return users, [u for u in users if u.organisation_id in nudge]


def open_batches(tenant, call: Call) -> tuple[Batch, Batch]:
    """(the call-open notice to every municipal user, the nudge to priority municipalities without
    an application) as batches, planned for the first day of the applications window."""
    users, nudged = open_notice_recipients(tenant, call)
    link = app_url("applications.index", tenant_slug=tenant.slug)
    window = applications_window(call)
    planned = window.starts_on if window else None
    return (Batch(OPEN, call.title, planned, users, message_values(call), lambda u: f"{OPEN}:{call.id}:{u.id}", link),
            Batch(NUDGE, call.title, planned, nudged, message_values(call), lambda u: f"{NUDGE}:{call.id}:{u.id}", link))


def queue_open_notices(tenant, call: Call) -> tuple[int, int]:
    """Queue the call-open notice to every municipal user and the nudge to priority municipalities
    without an application; returns (notices, nudges) queued now (0, 0 when already done)."""
    notice, nudge = open_batches(tenant, call)
    return notice.queue(tenant), nudge.queue(tenant)


def _planned_open(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    return [(w.starts_on, f"{c.title} 申込受付開始") for c in annual_calls(tenant) if (w := applications_window(c))]


def _preview_open(tenant, now: dt.datetime) -> list[Batch]:
    day = to_jst(now).date()
    return [b for c in annual_calls(tenant) if (w := applications_window(c)) and w.ends_on >= day
            for b in open_batches(tenant, c)]


@job("calls.open_notices", trigger=cron(hour=7, minute=0), planned=_planned_open, preview=_preview_open,
     description="募集開始のお知らせ（全市町村）と優先市町村への申込案内")
def open_notices(tenant, now: dt.datetime) -> str:
    """Every morning (07:00 JST): for each annual call open on today's JST date (`is_open_on`),
    queue the call-open notice and the priority nudge (once per user and call)."""
    day, opened, nudged = to_jst(now).date(), 0, 0
    for call in annual_calls(tenant):
        if is_open_on(call, day):
            counts = queue_open_notices(tenant, call)
            opened, nudged = opened + counts[0], nudged + counts[1]
    return f"募集開始のお知らせ {opened} 件・優先市町村への案内 {nudged} 件"


def closing_starts_on(tenant, call: Call) -> dt.date | None:
    """The first day of the closing reminder: the applications window's end minus the call's
    `call_closing_days_before` (app/notifications/timings.py); None without a window."""
    window = applications_window(call)
    if window is None:
        return None
    return window.ends_on - dt.timedelta(days=notice_timings(tenant, call).call_closing_days_before)


def closing_batch(tenant, call: Call, day: dt.date) -> Batch | None:
    """The closing reminder of `call` as sent on `day` (to municipalities without a submitted
    application; `{days_left}` counted from `day`), or None when the call has no window."""
    window, starts = applications_window(call), closing_starts_on(tenant, call)
    if window is None:
        return None
    applied = applied_ids(tenant, call)
    users = [u for u in municipal_users(tenant) if u.organisation_id not in applied]
    return Batch(CLOSING, call.title, starts, users, message_values(call, (window.ends_on - day).days),
                 lambda u: f"{CLOSING}:{call.id}:{u.id}", app_url("applications.index", tenant_slug=tenant.slug))


def _planned_closing(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    return [(start, f"{c.title} 申込締切前のお知らせ（締切{(applications_window(c).ends_on - start).days}日前）")
            for c in annual_calls(tenant) if (start := closing_starts_on(tenant, c))]


def _preview_closing(tenant, now: dt.datetime) -> list[Batch]:
    day = to_jst(now).date()
    batches = [closing_batch(tenant, c, max(day, closing_starts_on(tenant, c))) for c in annual_calls(tenant)
               if (w := applications_window(c)) and w.ends_on >= day]
    return [b for b in batches if b is not None]


@job("calls.closing_reminders", trigger=cron(hour=7, minute=10), planned=_planned_closing, preview=_preview_closing,
     description="申込締切前のお知らせ（未申込の市町村）")
def closing_reminders(tenant, now: dt.datetime) -> str:
    """Every morning: for each call open today whose window ends within `call_closing_days_before`
    days (tenant [notices] or the call's 通知設定; default 7), remind the users of municipalities
    without a submitted application (once per user and call)."""
    day, queued = to_jst(now).date(), 0
    for call in annual_calls(tenant):
        window, starts = applications_window(call), closing_starts_on(tenant, call)
        if window and is_open_on(call, day) and starts <= day <= window.ends_on:
            queued += closing_batch(tenant, call, day).queue(tenant)
    return f"締切前のお知らせ {queued} 件"
