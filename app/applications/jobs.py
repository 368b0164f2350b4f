"""Jobs of the applications domain: once a call has closed for applications, tell municipalities
whose application is still a draft (never submitted) 「申込が未提出です」, once per user and call
(dedupe key "applications.draft_unsubmitted:<call>:<user>").

The rule is computed from stored state: the call's phase is 選定・決定 (the phase right after
申込受付), and the municipality has a DRAFT application and no submitted one. A re-run, a second
scheduler or a catch-up never queue twice; once the call moves on to 支援実施 nothing is sent.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.applications.models import Application
from app.applications.states import ApplicationState
from app.calls.jobs import annual_calls, applied_ids, message_values, municipal_users
from app.calls.models import Call
from app.calls.states import CallPhase
from app.extensions import db
from app.notifications.bulk import Batch
from app.notifications.services import app_url
from app.scheduling import cron, job

DRAFT_LEFT = "applications.draft_unsubmitted"


def draft_only_ids(tenant, call: Call) -> set[int]:
    """Municipalities with a DRAFT application in `call` and no submitted (or decided) one."""
    stmt = sa.select(Application.municipality_id).where(
        Application.tenant_id == tenant.id, Application.call_id == call.id, Application.state == ApplicationState.DRAFT)
    return set(db.session.scalars(stmt)) - applied_ids(tenant, call)


def _planned(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    return [(w.starts_on, f"{c.title} 未提出の申込（下書き）のお知らせ") for c in annual_calls(tenant)
            if (w := c.window(CallPhase.SELECTION))]


def draft_batch(tenant, call: Call) -> Batch:
    """「申込が未提出です」 to the staff of municipalities whose application in `call` is only a draft."""
    drafts = draft_only_ids(tenant, call)
    users = [u for u in municipal_users(tenant) if u.organisation_id in drafts]
    window = call.window(CallPhase.SELECTION)
    return Batch(DRAFT_LEFT, call.title, window.starts_on if window else None, users, message_values(call),
                 lambda u: f"{DRAFT_LEFT}:{call.id}:{u.id}", app_url("applications.index", tenant_slug=tenant.slug))


def _preview(tenant, now: dt.datetime) -> list[Batch]:
    return [draft_batch(tenant, c) for c in annual_calls(tenant) if c.phase in (CallPhase.APPLICATIONS, CallPhase.SELECTION)]


@job("applications.draft_reminders", trigger=cron(hour=7, minute=30), planned=_planned, preview=_preview,
     description="申込受付終了後、未提出の申込（下書き）がある市町村へのお知らせ")
def draft_reminders(tenant, now: dt.datetime) -> str:
    """Every morning: for each annual call in 選定・決定, queue 「申込が未提出です」 to the staff of
    municipalities whose application is only a draft (`draft_only_ids`; once per user and call)."""
    queued = sum(draft_batch(tenant, call).queue(tenant) for call in annual_calls(tenant)
                 if call.phase == CallPhase.SELECTION)
    return f"未提出の申込のお知らせ {queued} 件"
