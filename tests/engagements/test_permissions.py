"""Every lifecycle edge, allowed and refused per role (pure predicates, no database)."""
import itertools
from types import SimpleNamespace

import pytest

from app.auth.models import Role
from app.engagements.permissions import can_transition_engagement
from app.engagements.states import TRANSITIONS, EngagementState as S

PROVIDER, MUNICIPALITY = 10, 20
USERS = {
    "operator": SimpleNamespace(is_authenticated=True, tenant_id=1, role=Role.OPERATOR, organisation_id=None),
    "provider": SimpleNamespace(is_authenticated=True, tenant_id=1, role=Role.PROVIDER, organisation_id=PROVIDER),
    "other_provider": SimpleNamespace(is_authenticated=True, tenant_id=1, role=Role.PROVIDER, organisation_id=99),
    "municipality": SimpleNamespace(is_authenticated=True, tenant_id=1, role=Role.MUNICIPAL, organisation_id=MUNICIPALITY),
    "reviewer": SimpleNamespace(is_authenticated=True, tenant_id=1, role=Role.REVIEWER, organisation_id=None),
    "other_tenant_operator": SimpleNamespace(is_authenticated=True, tenant_id=2, role=Role.OPERATOR, organisation_id=None),
}
# Who owns each edge (issue 4): the kickoff edge is the municipality's agreement to a drafted kickoff
# or the operator's record of it.
EXPECTED = {
    (S.ASSIGNED, S.ACCEPTED): {"provider"},
    (S.ASSIGNED, S.DECLINED): {"provider"},
    (S.ACCEPTED, S.IN_PROGRESS): {"operator", "municipality"},
    (S.IN_PROGRESS, S.COMPLETED): {"provider"},
    (S.COMPLETED, S.CLOSED): {"operator"},
    (S.ASSIGNED, S.CANCELLED): {"operator"},
    (S.ACCEPTED, S.CANCELLED): {"operator"},
    (S.IN_PROGRESS, S.CANCELLED): {"operator"},
}
CASES = list(itertools.product(S, S, USERS))


def _engagement(state, drafted=True):
    return SimpleNamespace(tenant_id=1, state=state, provider_id=PROVIDER, municipality_id=MUNICIPALITY,
                           kickoff_drafted_at="2024-07-01" if drafted else None)


def test_every_edge_of_the_table_has_an_owner():
    edges = {(a, b) for a, targets in TRANSITIONS.items() for b in targets}
    assert edges == set(EXPECTED)


@pytest.mark.parametrize(("from_state", "to_state", "who"), CASES, ids=[f"{a}->{b}-{u}" for a, b, u in CASES])
def test_each_edge_is_allowed_only_for_its_roles(from_state, to_state, who):
    allowed = who in EXPECTED.get((from_state, to_state), set())
    assert can_transition_engagement(USERS[who], _engagement(from_state), to_state) is allowed


def test_the_municipality_agrees_only_to_a_drafted_kickoff():
    undrafted = _engagement(S.ACCEPTED, drafted=False)
    assert not can_transition_engagement(USERS["municipality"], undrafted, S.IN_PROGRESS)
    assert can_transition_engagement(USERS["operator"], undrafted, S.IN_PROGRESS)
