"""The services of 組織管理 without HTTP: a unique constraint hit by a concurrent save is a
Japanese message, not an IntegrityError, and the transaction stays usable."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.organisations import queries, services
from app.tenancy.models import OrganisationKind
from tests.conftest import in_tenant
from tests.organisations.conftest import count_orgs, org_named


def test_a_concurrent_duplicate_name_becomes_a_field_message(app, monkeypatch):
    # What a second request sees when the first commits the same name between check and flush.
    monkeypatch.setattr(queries, "same_name", lambda *args, **kwargs: None)
    with in_tenant(app) as tenant:
        before = count_orgs()
        with pytest.raises(services.OrganisationError) as caught:
            services.create_organisation(tenant, OrganisationKind.MUNICIPALITY, {
                "lg_code": "079995", "name": "福島市", "municipality_kind": "市"}, actor=None)
        assert caught.value.problems[0][0] == "name" and "既に登録されています" in str(caught.value)
        db.session.rollback()
        assert count_orgs() == before and org_named("福島市").lg_code == "072010"


def test_update_returns_only_the_changed_fields_and_audits_nothing_when_unchanged(app):
    with in_tenant(app) as tenant:
        org = org_named("福島市")
        same = {k: getattr(org, k) for k in services.fields_for(tenant, org.kind)}
        assert services.update_organisation(tenant, org, same, actor=None) == {}
        assert services.update_organisation(tenant, org, {**same, "kana": "ふくしま"}, actor=None) == {
            "kana": ["ふくしまし", "ふくしま"]}


def test_a_concurrent_duplicate_on_edit_becomes_a_field_message(app, monkeypatch):
    monkeypatch.setattr(queries, "same_name", lambda *args, **kwargs: None)
    with in_tenant(app) as tenant:
        org = org_named("会津若松市")
        values = {**{k: getattr(org, k) for k in services.fields_for(tenant, org.kind)}, "name": "福島市"}
        with pytest.raises(services.OrganisationError):
            services.update_organisation(tenant, org, values, actor=None)
        db.session.rollback()
        assert org_named("会津若松市") is not None
