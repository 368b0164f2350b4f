"""Who may take each case edge: the operator, and each party only on its own turn."""
import itertools

import pytest

from app.auth.models import Role
from app.cases.permissions import can_transition_case, can_view_case
from app.cases.states import CaseState
from tests.cases import helpers
from tests.conftest import in_tenant

ROLES = ("operator", "municipality", "provider", "other_municipality", "other_provider", "reviewer", "anonymous")
# (from, to) -> roles allowed (edges absent from TRANSITIONS are refused by transition_case itself)
ALLOWED = {
    (CaseState.DRAFT, CaseState.AWAITING_APPROVAL): {"operator"},
    (CaseState.AWAITING_APPROVAL, CaseState.AWAITING_PROVIDER): {"municipality"},
    (CaseState.AWAITING_APPROVAL, CaseState.AWAITING_MUNICIPALITY): {"provider"},
    (CaseState.AWAITING_PROVIDER, CaseState.APPROVED): {"provider"},
    (CaseState.AWAITING_MUNICIPALITY, CaseState.APPROVED): {"municipality"},
    (CaseState.AWAITING_APPROVAL, CaseState.DRAFT): {"operator", "municipality", "provider"},
    (CaseState.AWAITING_PROVIDER, CaseState.DRAFT): {"operator", "municipality", "provider"},
    (CaseState.AWAITING_MUNICIPALITY, CaseState.DRAFT): {"operator", "municipality", "provider"},
    (CaseState.APPROVED, CaseState.PUBLISHED): {"operator"},
    (CaseState.APPROVED, CaseState.DRAFT): {"operator"},
    (CaseState.PUBLISHED, CaseState.DRAFT): {"operator"},
}


class FakeUser:
    def __init__(self, tenant_id, role, organisation_id=None, authenticated=True):
        self.tenant_id, self.role, self.organisation_id, self.is_authenticated = tenant_id, role, organisation_id, authenticated


def _users(case):
    e, t = case.engagement, case.tenant_id
    return {"operator": FakeUser(t, Role.OPERATOR), "municipality": FakeUser(t, Role.MUNICIPAL, e.municipality_id),
            "provider": FakeUser(t, Role.PROVIDER, e.provider_id), "other_municipality": FakeUser(t, Role.MUNICIPAL, -1),
            "other_provider": FakeUser(t, Role.PROVIDER, -1), "reviewer": FakeUser(t, Role.REVIEWER),
            "anonymous": FakeUser(None, None, authenticated=False)}


@pytest.mark.parametrize(("edge", "role"), list(itertools.product(ALLOWED, ROLES)),
                         ids=[f"{a}->{b}-{r}" for (a, b), r in itertools.product(ALLOWED, ROLES)])
def test_each_edge_is_allowed_to_its_roles_only(app, edge, role):
    with in_tenant(app) as t:
        case = helpers.case_in(t, edge[0])
        assert can_transition_case(_users(case)[role], case, edge[1]) is (role in ALLOWED[edge])


def test_an_operator_of_another_tenant_is_nobody_here(app):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.APPROVED)
        stranger = FakeUser(t.id + 1000, Role.OPERATOR)
        assert not can_transition_case(stranger, case, CaseState.PUBLISHED) and not can_view_case(stranger, case)


@pytest.mark.parametrize(("role", "sees"), [("operator", True), ("municipality", True), ("provider", True),
                                            ("other_municipality", False), ("other_provider", False),
                                            ("reviewer", False), ("anonymous", False)])
def test_unpublished_cases_are_seen_by_the_operator_and_the_parties(app, role, sees):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.AWAITING_APPROVAL)
        assert can_view_case(_users(case)[role], case) is sees
