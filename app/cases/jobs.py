"""Jobs of the cases domain (issue 6 §3): when a case enters an approval state, notify the party
whose turn it is (the municipality's and/or the provider's staff), then remind them every
`case_reminder_every_days` days (default 7; tenant [notices] or the 通知設定 of the engagement's call)
while it stays pending.

"Entering" is the last `StateChange` of the case into its current state, so a case returned to
draft and sent again is a new occasion. Dedupe keys per case, entry, party, occasion and user.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.auth.models import Role, User
from app.cases.models import Case
from app.cases.states import AWAITING_STATES, MUNICIPALITY, PROVIDER, approval_target
from app.core.audit import StateChange
from app.core.clock import to_jst
from app.notifications.recipients import staff_by_organisation
from app.extensions import db
from app.notifications.services import app_url, queue_bulk
from app.notifications.timings import timings_by_call
from app.scheduling import cron, job

REQUEST, REMINDER = "cases.approval_request", "cases.approval_reminder"
PARTIES = {MUNICIPALITY: Role.MUNICIPAL, PROVIDER: Role.PROVIDER}


def pending_cases(tenant) -> list[tuple[Case, StateChange]]:
    """Cases awaiting an approval, each with the `StateChange` that moved it into its current state
    (cases without such a row, e.g. imported ones, are skipped)."""
    cases = db.session.scalars(sa.select(Case).where(Case.tenant_id == tenant.id, Case.state.in_(AWAITING_STATES))
                               .order_by(Case.id)).all()
    pairs = []
    for case in cases:
        entry = db.session.scalar(sa.select(StateChange).where(
            StateChange.tenant_id == tenant.id, StateChange.workflow == "case", StateChange.object_id == case.id,
            StateChange.to_state == str(case.state)).order_by(StateChange.id.desc()).limit(1))
        if entry is not None:
            pairs.append((case, entry))
    return pairs


def parties_to_act(case: Case) -> list[str]:
    """The parties ("municipality", "provider") whose approval the case waits for now."""
    return [party for party in PARTIES if approval_target(case.state, party) is not None]


def _organisation_of(case: Case, party: str) -> int:
    return case.engagement.municipality_id if party == MUNICIPALITY else case.engagement.provider_id


def _queue(tenant, case: Case, kind: str, key: str, users: list[User]) -> int:
    link = app_url("cases.detail", tenant_slug=tenant.slug, case_id=case.id)
    values = {"case_title": case.title, "state": str(case.state.label)}
    return len(queue_bulk(tenant, users, kind, lambda u: values, lambda u: f"{key}:{u.id}", link))


def notify_case(tenant, case: Case, entry: StateChange, today: dt.date, staff, every_days: int = 7) -> int:
    """Queue, for each party to act, the approval request (once per entry into the state, key
    "cases.approval_request:<case>:<entry>:<party>:<user>"); when that was already queued and the
    case has been pending n·`every_days` days (n ≥ 1), reminder n (key
    "…reminder:<case>:<entry>:<party>:<n>:<user>"). Returns the number of rows queued."""
    weeks = (today - to_jst(entry.at).date()).days // every_days
    queued = 0
    for party in parties_to_act(case):
        users = staff[party].get(_organisation_of(case, party), [])
        sent = _queue(tenant, case, REQUEST, f"{REQUEST}:{case.id}:{entry.id}:{party}", users)
        if not sent and weeks >= 1:
            sent = _queue(tenant, case, REMINDER, f"{REMINDER}:{case.id}:{entry.id}:{party}:{weeks}", users)
        queued += sent
    return queued


def _planned(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    """Pending cases: the next reminder date (entry date + n·`case_reminder_every_days`, today or later)."""
    today, timings_of, planned = to_jst(now).date(), timings_by_call(tenant), []
    for case, entry in pending_cases(tenant):
        every, entered = timings_of(case.engagement.call_id).case_reminder_every_days, to_jst(entry.at).date()
        occasions = max(1, -(-(today - entered).days // every))
        planned.append((entered + dt.timedelta(days=occasions * every), f"事例「{case.title}」承認待ちの督促"))
    return planned


@job("cases.approval_notices", trigger=cron(hour=7, minute=30), planned=_planned,
     description="事例の承認依頼と承認待ちの督促（市町村・会員企業、定期）")
def approval_notices(tenant, now: dt.datetime) -> str:
    """Every morning (07:30 JST): approval requests and periodic reminders for pending cases
    (`notify_case`). Stops once the party has approved or the case left the awaiting states."""
    today, pairs = to_jst(now).date(), pending_cases(tenant)
    staff = {party: staff_by_organisation(tenant, role, organisation_ids=[_organisation_of(c, party) for c, _ in pairs])
             for party, role in PARTIES.items()}
    timings_of = timings_by_call(tenant)
    queued = sum(notify_case(tenant, case, entry, today, staff, timings_of(case.engagement.call_id).case_reminder_every_days)
                 for case, entry in pairs)
    return f"事例の承認依頼・督促 {queued} 件"
