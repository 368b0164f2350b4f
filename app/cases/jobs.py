"""Jobs of the cases domain (issue 6 §3): when a case enters an approval state, notify the party
whose turn it is (the municipality's and/or the provider's staff), then remind them every week
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
from app.engagements.jobs import REMIND_EVERY_DAYS
from app.notifications.recipients import staff_by_organisation
from app.extensions import db
from app.notifications.services import app_url, queue_bulk
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


def notify_case(tenant, case: Case, entry: StateChange, today: dt.date, staff) -> int:
    """Queue, for each party to act, the approval request (once per entry into the state, key
    "cases.approval_request:<case>:<entry>:<party>:<user>"); when that was already queued and the
    case has been pending n·7 days (n ≥ 1), reminder n (key "…reminder:<case>:<entry>:<party>:<n>:<user>").
    Returns the number of rows queued."""
    weeks = (today - to_jst(entry.at).date()).days // REMIND_EVERY_DAYS
    queued = 0
    for party in parties_to_act(case):
        users = staff[party].get(_organisation_of(case, party), [])
        sent = _queue(tenant, case, REQUEST, f"{REQUEST}:{case.id}:{entry.id}:{party}", users)
        if not sent and weeks >= 1:
            sent = _queue(tenant, case, REMINDER, f"{REMINDER}:{case.id}:{entry.id}:{party}:{weeks}", users)
        queued += sent
    return queued


@job("cases.approval_notices", trigger=cron(hour=7, minute=30),
     description="事例の承認依頼と承認待ちの督促（市町村・会員企業、週1回）")
def approval_notices(tenant, now: dt.datetime) -> str:
    """Every morning (07:30 JST): approval requests and weekly reminders for pending cases
    (`notify_case`). Stops once the party has approved or the case left the awaiting states."""
    today, pairs = to_jst(now).date(), pending_cases(tenant)
    staff = {party: staff_by_organisation(tenant, role, organisation_ids=[_organisation_of(c, party) for c, _ in pairs])
             for party, role in PARTIES.items()}
    queued = sum(notify_case(tenant, case, entry, today, staff) for case, entry in pairs)
    return f"事例の承認依頼・督促 {queued} 件"
