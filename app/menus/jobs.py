"""Jobs of the menus domain: the notice that the proposal window (支援メニュー提案受付) is open, to
every provider's staff, once per user and call (dedupe key "menus.proposals_open:<call>:<user>").

Due when the call's stored phase is 提案受付, or it has gone past it and today's JST date lies inside
the planned `proposals` window (a catch-up after downtime, a date replayed with `--at`); never
before the operator opens the phase, even when the calendar date is reached.
"""
from __future__ import annotations

import datetime as dt

from app.auth.models import Role, User
from app.calls.jobs import ORDER, annual_calls
from app.calls.models import Call
from app.calls.states import CallPhase
from app.core.clock import to_jst
from app.core.wareki import fiscal_year_label, format_date
from app.notifications.recipients import active_staff
from app.notifications.bulk import Batch
from app.notifications.services import app_url
from app.scheduling import cron, job

PROPOSALS_OPEN = "menus.proposals_open"


def proposals_open_on(call: Call, day: dt.date) -> bool:
    """True when proposals are taken on `day` (JST): phase 提案受付, or past it with `day` inside the window."""
    if call.phase == CallPhase.PROPOSALS:
        return True
    window = call.window(CallPhase.PROPOSALS)
    reached = ORDER.index(call.phase) > ORDER.index(CallPhase.PROPOSALS)
    return bool(window and reached and window.starts_on <= day <= window.ends_on)


def _values(call: Call):
    window = call.window(CallPhase.PROPOSALS)

    def values(user: User) -> dict:
        return {"call_title": call.title, "fiscal_year": fiscal_year_label(call.fiscal_year),
                "provider": user.organisation.name if user.organisation else "",
                "starts_on": format_date(window.starts_on) if window else "",
                "ends_on": format_date(window.ends_on) if window else ""}
    return values


def _planned(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    return [(w.starts_on, f"{c.title} 支援メニュー提案受付開始") for c in annual_calls(tenant)
            if (w := c.window(CallPhase.PROPOSALS))]


def proposals_batch(tenant, call: Call) -> Batch:
    """The proposal-window notice of `call` to every active provider user (planned: window start)."""
    window = call.window(CallPhase.PROPOSALS)
    return Batch(PROPOSALS_OPEN, call.title, window.starts_on if window else None, active_staff(tenant, Role.PROVIDER),
                 _values(call), lambda u: f"{PROPOSALS_OPEN}:{call.id}:{u.id}",
                 app_url("menus.my_proposals", tenant_slug=tenant.slug))


def _preview(tenant, now: dt.datetime) -> list[Batch]:
    day = to_jst(now).date()
    return [proposals_batch(tenant, c) for c in annual_calls(tenant)
            if (w := c.window(CallPhase.PROPOSALS)) and w.ends_on >= day]


@job("menus.proposals_open", trigger=cron(hour=7, minute=5), planned=_planned, preview=_preview,
     description="支援メニュー提案受付開始のお知らせ（全会員企業）")
def proposals_open_notices(tenant, now: dt.datetime) -> str:
    """Every morning: for each annual call taking proposals today (`proposals_open_on`), queue the
    notice to every active provider user (once per user and call)."""
    day = to_jst(now).date()
    queued = sum(proposals_batch(tenant, call).queue(tenant) for call in annual_calls(tenant) if proposals_open_on(call, day))
    return f"提案受付開始のお知らせ {queued} 件"
