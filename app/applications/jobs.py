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
from app.notifications.services import app_url, queue_bulk
from app.scheduling import cron, job

DRAFT_LEFT = "applications.draft_unsubmitted"


def draft_only_ids(tenant, call: Call) -> set[int]:
    """Municipalities with a DRAFT application in `call` and no submitted (or decided) one."""
    stmt = sa.select(Application.municipality_id).where(
        Application.tenant_id == tenant.id, Application.call_id == call.id, Application.state == ApplicationState.DRAFT)
    return set(db.session.scalars(stmt)) - applied_ids(tenant, call)


@job("applications.draft_reminders", trigger=cron(hour=7, minute=30),
     description="申込受付終了後、未提出の申込（下書き）がある市町村へのお知らせ")
def draft_reminders(tenant, now: dt.datetime) -> str:
    """Every morning: for each annual call in 選定・決定, queue 「申込が未提出です」 to the staff of
    municipalities whose application is only a draft (`draft_only_ids`; once per user and call)."""
    queued = 0
    link = app_url("applications.index", tenant_slug=tenant.slug)
    for call in annual_calls(tenant):
        if call.phase != CallPhase.SELECTION:
            continue
        drafts = draft_only_ids(tenant, call)
        users = [u for u in municipal_users(tenant) if u.organisation_id in drafts]
        rows = queue_bulk(tenant, users, DRAFT_LEFT, message_values(call), lambda u: f"{DRAFT_LEFT}:{call.id}:{u.id}", link)
        queued += len(rows)
    return f"未提出の申込のお知らせ {queued} 件"
