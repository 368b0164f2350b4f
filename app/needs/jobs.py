"""Jobs of the needs survey (DX課題把握アンケート): the notice that a round is open, to every
municipality's staff; the reminder to municipalities that have not answered, from
`needs_reminder_days_before` days (default 7; tenant [notices] or the 通知設定 of the call of the
round's fiscal year) before the round closes; and, once the round has closed, the close notice — to
operators with the respondent / non-respondent counts, and a thank-you to the staff of the
municipalities that answered.

Each recipient gets at most one of each per round (dedupe keys "needs.open:<round>:<user>",
"needs.reminder:<round>:<user>", "needs.closed:<round>:<user>", "needs.thanks:<round>:<user>"), so a
re-run, a second scheduler or a catch-up never queue twice. What is due is computed from the round's
dates and `now` (JST), so a missed run is caught up by the next one: the open notice and the
reminder while the round is open, the close notice within `CLOSE_NOTICE_DAYS` after the close.
"""
from __future__ import annotations

import datetime as dt

from app.auth.models import Role, User
from app.calls.jobs import municipal_users
from app.calls.queries import call_for_year
from app.core.clock import to_jst
from app.core.wareki import fiscal_year_label, format_date
from app.needs.models import NeedsSurveyRound
from app.needs.queries import answer_status, rounds
from app.notifications.bulk import Batch
from app.notifications.recipients import active_staff
from app.notifications.services import app_url
from app.notifications.timings import notice_timings
from app.scheduling import cron, job

OPEN, REMINDER, CLOSED, THANKS = "needs.open", "needs.reminder", "needs.closed", "needs.thanks"
# A round closed longer ago than this is not announced any more (a first deployment, a long outage).
CLOSE_NOTICE_DAYS = 14


def open_rounds(tenant, day: dt.date) -> list[NeedsSurveyRound]:
    """The rounds of `tenant` open on `day` (JST, `opens_on <= day <= closes_on`)."""
    return [r for r in rounds(tenant) if r.is_open(day)]


def reminder_starts_on(tenant, round_: NeedsSurveyRound) -> dt.date:
    """First day of the reminder: `closes_on` minus `needs_reminder_days_before` of the call of the
    round's fiscal year (tenant value when there is no such call), never before `opens_on`."""
    days = notice_timings(tenant, call_for_year(tenant, round_.fiscal_year)).needs_reminder_days_before
    return max(round_.opens_on, round_.closes_on - dt.timedelta(days=days))


def reminder_due(tenant, round_: NeedsSurveyRound, day: dt.date) -> bool:
    """True when `day` is open and on or after `reminder_starts_on` (the reminder window)."""
    return round_.is_open(day) and day >= reminder_starts_on(tenant, round_)


def close_notice_due(round_: NeedsSurveyRound, day: dt.date) -> bool:
    """True from the day after `closes_on` for `CLOSE_NOTICE_DAYS` days."""
    return 1 <= (day - round_.closes_on).days <= CLOSE_NOTICE_DAYS


def message_values(round_: NeedsSurveyRound, day: dt.date, **extra):
    """A function `user -> placeholders` (fiscal_year, opens_on, closes_on, days_left, municipality, …)."""
    def values(user: User) -> dict:
        return {"fiscal_year": fiscal_year_label(round_.fiscal_year), "opens_on": format_date(round_.opens_on),
                "closes_on": format_date(round_.closes_on), "days_left": (round_.closes_on - day).days,
                "municipality": user.organisation.name if user.organisation else "", **extra}
    return values


def _title(round_: NeedsSurveyRound) -> str:
    return f"{fiscal_year_label(round_.fiscal_year)} DX課題把握アンケート"


def open_batch(tenant, round_: NeedsSurveyRound, users: list[User] | None = None) -> Batch:
    """The round-open notice to every active municipal user, planned for `opens_on`."""
    users = users if users is not None else municipal_users(tenant)
    return Batch(OPEN, _title(round_), round_.opens_on, users, message_values(round_, round_.opens_on),
                 lambda u: f"{OPEN}:{round_.id}:{u.id}", app_url("needs.answer", tenant_slug=tenant.slug))


def reminder_batch(tenant, round_: NeedsSurveyRound, day: dt.date) -> Batch:
    """The reminder as sent on `day`: to the staff of municipalities without an answer."""
    missing = {m.id for m in answer_status(tenant, round_)[1]}
    users = [u for u in municipal_users(tenant) if u.organisation_id in missing]
    return Batch(REMINDER, _title(round_), reminder_starts_on(tenant, round_), users, message_values(round_, day),
                 lambda u: f"{REMINDER}:{round_.id}:{u.id}", app_url("needs.answer", tenant_slug=tenant.slug))


def close_batches(tenant, round_: NeedsSurveyRound) -> tuple[Batch, Batch]:
    """(to operators: closed, with `{respondents}` / `{non_respondents}` counts; to the staff of the
    municipalities that answered: thanks), planned for the day after `closes_on`."""
    responses, missing = answer_status(tenant, round_)
    answered = {r.municipality_id for r in responses}
    day = round_.closes_on + dt.timedelta(days=1)
    values = message_values(round_, day, respondents=len(answered), non_respondents=len(missing))
    operators = Batch(CLOSED, _title(round_), day, active_staff(tenant, Role.OPERATOR), values,
                      lambda u: f"{CLOSED}:{round_.id}:{u.id}",
                      app_url("needs.round_detail", tenant_slug=tenant.slug, round_id=round_.id))
    thanked = [u for u in municipal_users(tenant) if u.organisation_id in answered]
    thanks = Batch(THANKS, _title(round_), day, thanked, values, lambda u: f"{THANKS}:{round_.id}:{u.id}",
                   app_url("needs.answer", tenant_slug=tenant.slug))
    return operators, thanks


def _planned_open(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    return [(r.opens_on, f"{_title(r)}開始のお知らせ") for r in rounds(tenant)]


def _preview_open(tenant, now: dt.datetime) -> list[Batch]:
    day = to_jst(now).date()
    return [open_batch(tenant, r) for r in rounds(tenant) if r.closes_on >= day]


@job("needs.open_notices", trigger=cron(hour=7, minute=20), planned=_planned_open, preview=_preview_open,
     description="DX課題把握アンケート開始のお知らせ（全市町村）")
def open_notices(tenant, now: dt.datetime) -> str:
    """Every morning (07:20 JST): for each round open on today's JST date, queue the round-open
    notice to every active municipal user (once per user and round)."""
    day, users, queued = to_jst(now).date(), None, 0
    for round_ in open_rounds(tenant, day):
        users = users if users is not None else municipal_users(tenant)
        queued += open_batch(tenant, round_, users).queue(tenant)
    return f"アンケート開始のお知らせ {queued} 件"


def _planned_reminder(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    return [(reminder_starts_on(tenant, r), f"{_title(r)}締切前の督促") for r in rounds(tenant)]


def _preview_reminder(tenant, now: dt.datetime) -> list[Batch]:
    day = to_jst(now).date()
    return [reminder_batch(tenant, r, max(day, reminder_starts_on(tenant, r))) for r in rounds(tenant)
            if r.closes_on >= day]


@job("needs.reminders", trigger=cron(hour=7, minute=25), planned=_planned_reminder, preview=_preview_reminder,
     description="DX課題把握アンケート締切前の督促（未回答の市町村）")
def send_reminders(tenant, now: dt.datetime) -> str:
    """Every morning: for each open round in its reminder window (`reminder_due`), remind the staff
    of municipalities without an answer (once per user and round; an answer stops it)."""
    day, queued = to_jst(now).date(), 0
    for round_ in open_rounds(tenant, day):
        if reminder_due(tenant, round_, day):
            queued += reminder_batch(tenant, round_, day).queue(tenant)
    return f"アンケート督促 {queued} 件"


def _planned_close(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    return [(r.closes_on + dt.timedelta(days=1), f"{_title(r)}締切のお知らせ") for r in rounds(tenant)]


def _preview_close(tenant, now: dt.datetime) -> list[Batch]:
    day = to_jst(now).date()
    return [b for r in rounds(tenant) if r.closes_on >= day or close_notice_due(r, day) for b in close_batches(tenant, r)]


@job("needs.close_notices", trigger=cron(hour=7, minute=35), planned=_planned_close, preview=_preview_close,
     description="DX課題把握アンケート締切のお知らせ（運用担当者へ回答状況・回答した市町村へお礼）")
def close_notices(tenant, now: dt.datetime) -> str:
    """Every morning: for each round closed yesterday (or up to `CLOSE_NOTICE_DAYS` ago, a catch-up),
    queue the close notice to operators and the thanks to the staff of responding municipalities
    (once per user and round)."""
    day, operators, thanked = to_jst(now).date(), 0, 0
    for round_ in rounds(tenant):
        if close_notice_due(round_, day):
            to_operators, thanks = close_batches(tenant, round_)
            operators, thanked = operators + to_operators.queue(tenant), thanked + thanks.queue(tenant)
    return f"アンケート締切のお知らせ {operators} 件・回答へのお礼 {thanked} 件"
