"""Case approval notices with frozen time: the party whose turn it is gets the request when the case
enters the awaiting state, a reminder each week while it stays pending, nothing once it has acted."""

from app.cases.jobs import REMINDER, REQUEST
from app.cases.models import Case
from app.cases.services import transition_case
from app.cases.states import CaseState
from app.core.audit import StateChange
from app.calls.models import Call
from app.extensions import db
from app.notifications.timings import set_call_timings
from tests.cases.helpers import case_in
from tests.conftest import in_tenant
from tests.engagements import builders
from tests.engagements.test_jobs import at, notices, run


def _entered(case: Case, day: str) -> None:
    """Date the case's last state change (its entry into the current state) to 10:30 JST on `day`.
    The history row is dated while still pending: written rows are append-only (database triggers)."""
    entry = next(c for c in db.session.new if isinstance(c, StateChange) and c.workflow == "case" and c.object_id == case.id)
    entry.at = at(day, hour=10)


def test_each_party_is_asked_once_then_reminded_weekly_until_it_approves(app):
    with in_tenant(app) as tenant:
        builders.users(tenant)
        case = case_in(tenant, CaseState.AWAITING_APPROVAL)
        _entered(case, "2025-05-01")
        case_id = case.id
        db.session.commit()
    run(app, "cases.approval_notices", "2025-05-02", "2025-05-03", "2025-05-07")
    requests = notices(app, REQUEST)
    assert sorted(n.email for n in requests) == ["muni@example.jp", "prov@example.jp"]
    assert requests[0].link.endswith(f"/t/fukushima/cases/{case_id}") and "承認のお願い" in requests[0].subject
    assert notices(app, REMINDER) == []
    run(app, "cases.approval_notices", "2025-05-08", "2025-05-10")  # one week pending
    assert sorted(n.email for n in notices(app, REMINDER)) == ["muni@example.jp", "prov@example.jp"]
    with in_tenant(app):
        case = db.session.get(Case, case_id)
        transition_case(case, CaseState.AWAITING_PROVIDER, actor=None, note="ok")  # the municipality approves
        _entered(case, "2025-05-10")
        db.session.commit()
    run(app, "cases.approval_notices", "2025-05-11", "2025-05-17")
    assert [n.email for n in notices(app, REQUEST)][2:] == ["prov@example.jp"], "a new entry: only the provider's turn"
    assert len(notices(app, REMINDER)) == 3 and notices(app, REMINDER)[2].email == "prov@example.jp"
    with in_tenant(app):
        transition_case(db.session.get(Case, case_id), CaseState.APPROVED, actor=None, note="ok")
        db.session.commit()
    run(app, "cases.approval_notices", "2025-05-24")
    assert len(notices(app, REQUEST)) == 3 and len(notices(app, REMINDER)) == 3, "nothing once approved"


def test_the_engagements_call_sets_how_often_a_pending_approval_is_reminded(app):
    with in_tenant(app) as tenant:
        builders.users(tenant)
        case = case_in(tenant, CaseState.AWAITING_APPROVAL)
        _entered(case, "2025-05-01")
        set_call_timings(db.session.get(Call, case.engagement.call_id), {"case_reminder_every_days": 3}, actor=None)
        db.session.commit()
    run(app, "cases.approval_notices", "2025-05-02", "2025-05-03")
    assert notices(app, REMINDER) == []
    run(app, "cases.approval_notices", "2025-05-04", "2025-05-07")  # 3 and 6 days pending
    assert len(notices(app, REMINDER)) == 4, "two parties, reminded every 3 days (not weekly)"
