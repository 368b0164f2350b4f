"""Jobs of the needs survey (DX課題把握アンケート): the notice that a round is open, to every
municipality's staff, and the reminder to municipalities that have not answered, from 7 days before
the round closes.

Each recipient gets at most one of each per round (dedupe keys "needs.open:<round>:<user>",
"needs.reminder:<round>:<user>"), so a re-run, a second scheduler or a catch-up never queue twice.
What is due is computed from the round's dates and `now` (JST), so a missed run is caught up by the
next one while the round is still open; nothing is sent once it has closed.
"""
from __future__ import annotations

import datetime as dt

from app.auth.models import User
from app.calls.jobs import municipal_users
from app.core.clock import to_jst
from app.core.wareki import fiscal_year_label, format_date
from app.needs.models import NeedsSurveyRound
from app.needs.queries import answer_status, rounds
from app.notifications.services import app_url, queue_bulk
from app.scheduling import cron, job

OPEN, REMINDER = "needs.open", "needs.reminder"
REMIND_DAYS_BEFORE_CLOSE = 7


def open_rounds(tenant, day: dt.date) -> list[NeedsSurveyRound]:
    """The rounds of `tenant` open on `day` (JST, `opens_on <= day <= closes_on`)."""
    return [r for r in rounds(tenant) if r.is_open(day)]


def reminder_due(round_: NeedsSurveyRound, day: dt.date) -> bool:
    """True when `day` is open and at most 7 days before `closes_on` (the reminder window)."""
    return round_.is_open(day) and (round_.closes_on - day).days <= REMIND_DAYS_BEFORE_CLOSE


def message_values(round_: NeedsSurveyRound, day: dt.date):
    """A function `user -> placeholders` (fiscal_year, opens_on, closes_on, days_left, municipality)."""
    def values(user: User) -> dict:
        return {"fiscal_year": fiscal_year_label(round_.fiscal_year), "opens_on": format_date(round_.opens_on),
                "closes_on": format_date(round_.closes_on), "days_left": (round_.closes_on - day).days,
                "municipality": user.organisation.name if user.organisation else ""}
    return values


def _planned_open(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    return [(r.opens_on, f"{fiscal_year_label(r.fiscal_year)} DX課題把握アンケート開始のお知らせ") for r in rounds(tenant)]


@job("needs.open_notices", trigger=cron(hour=7, minute=20), planned=_planned_open,
     description="DX課題把握アンケート開始のお知らせ（全市町村）")
def open_notices(tenant, now: dt.datetime) -> str:
    """Every morning (07:20 JST): for each round open on today's JST date, queue the round-open
    notice to every active municipal user (once per user and round)."""
    day, users, queued = to_jst(now).date(), None, 0
    link = app_url("needs.answer", tenant_slug=tenant.slug)
    for round_ in open_rounds(tenant, day):
        users = users if users is not None else municipal_users(tenant)
        rows = queue_bulk(tenant, users, OPEN, message_values(round_, day), lambda u: f"{OPEN}:{round_.id}:{u.id}", link)
        queued += len(rows)
    return f"アンケート開始のお知らせ {queued} 件"


def _planned_reminder(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    return [(max(r.opens_on, r.closes_on - dt.timedelta(days=REMIND_DAYS_BEFORE_CLOSE)),
             f"{fiscal_year_label(r.fiscal_year)} DX課題把握アンケート締切前の督促") for r in rounds(tenant)]


@job("needs.reminders", trigger=cron(hour=7, minute=25), planned=_planned_reminder,
     description="DX課題把握アンケート締切7日前の督促（未回答の市町村）")
def send_reminders(tenant, now: dt.datetime) -> str:
    """Every morning: for each open round closing within 7 days (`reminder_due`), remind the staff
    of municipalities without an answer (once per user and round; an answer stops it)."""
    day, queued = to_jst(now).date(), 0
    link = app_url("needs.answer", tenant_slug=tenant.slug)
    for round_ in open_rounds(tenant, day):
        if not reminder_due(round_, day):
            continue
        missing = {m.id for m in answer_status(tenant, round_)[1]}
        users = [u for u in municipal_users(tenant) if u.organisation_id in missing]
        rows = queue_bulk(tenant, users, REMINDER, message_values(round_, day),
                          lambda u: f"{REMINDER}:{round_.id}:{u.id}", link)
        queued += len(rows)
    return f"アンケート督促 {queued} 件"
