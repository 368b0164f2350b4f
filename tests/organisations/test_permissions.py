"""The permission predicate of 組織管理: operators of the owning tenant only, never the office."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from app.auth.models import Role
from app.organisations.permissions import can_manage_organisation
from app.tenancy.models import Organisation, OrganisationKind

PROVIDER = Organisation(tenant_id=1, kind=OrganisationKind.PROVIDER, name="A社")


@pytest.mark.parametrize(("user", "org", "allowed"), [
    (SimpleNamespace(is_authenticated=True, tenant_id=1, role=Role.OPERATOR), PROVIDER, True),
    (SimpleNamespace(is_authenticated=True, tenant_id=2, role=Role.OPERATOR), PROVIDER, False),
    (SimpleNamespace(is_authenticated=True, tenant_id=1, role=Role.MUNICIPAL), PROVIDER, False),
    (SimpleNamespace(is_authenticated=True, tenant_id=1, role=Role.PROVIDER), PROVIDER, False),
    (SimpleNamespace(is_authenticated=True, tenant_id=1, role=Role.REVIEWER), PROVIDER, False),
    (SimpleNamespace(is_authenticated=False), PROVIDER, False),
    (SimpleNamespace(is_authenticated=True, tenant_id=1, role=Role.OPERATOR),
     Organisation(tenant_id=1, kind=OrganisationKind.OFFICE, name="県"), False),
])
def test_only_operators_of_the_tenant_manage_its_organisations(user, org, allowed):
    assert can_manage_organisation(user, org) is allowed
