"""Who reaches 組織管理 (operators of the tenant only: others 404, anonymous to the login page), and
what a deactivated organisation means for its users and for the places organisations are chosen."""
from __future__ import annotations

import pytest

from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from tests import factories
from tests.conftest import in_tenant, login
from tests.organisations.conftest import URL, audits, org_named


def _paths(org_id: int) -> list[tuple[str, str]]:
    return [("GET", f"{URL}/"), ("GET", f"{URL}/new?kind=provider"), ("POST", f"{URL}/new?kind=provider"),
            ("GET", f"{URL}/{org_id}"), ("POST", f"{URL}/{org_id}"), ("POST", f"{URL}/{org_id}/deactivate"),
            ("POST", f"{URL}/{org_id}/reactivate")]


@pytest.mark.parametrize("email", ["muni@example.jp", "prov@example.jp", "rev@example.jp"])
def test_other_roles_get_404_and_nothing_changes(people, email):
    with in_tenant(people) as tenant:
        org_id = factories.provider(tenant).id
    client = people.test_client()
    login(client, email)
    for method, path in _paths(org_id):
        response = client.open(path, method=method, data={"name": "書き換え"})
        assert response.status_code == 404, (method, path)
    with in_tenant(people):
        assert org_named("テスト情報システム株式会社").is_active and org_named("書き換え") is None


def test_anonymous_visitors_go_to_the_login_page(people):
    response = people.test_client().get(f"{URL}/")
    assert response.status_code == 302 and "/t/fukushima/login" in response.headers["Location"]


def test_another_tenants_organisation_is_404(people, operator):
    with people.app_context():  # a tenant is created outside any tenant scope
        other = Tenant(slug="other", name="別の事業", prefecture="静岡県", office_name="デジタル戦略課")
        db.session.add(other)
        db.session.flush()
        org = Organisation(tenant_id=other.id, kind=OrganisationKind.PROVIDER, name="他県の会員企業")
        db.session.add(org)
        db.session.commit()
        org_id = org.id
    for method, path in _paths(org_id)[3:]:
        assert operator.open(path, method=method, data={"name": "書き換え"}).status_code == 404, (method, path)
    assert "他県の会員企業" not in operator.get(f"{URL}/?kind=provider").get_data(as_text=True)
    with in_tenant(people, "other"):
        assert org_named("他県の会員企業").id == org_id


def test_new_provider_can_be_invited_and_is_offered_where_providers_are_chosen(people, operator):
    assert operator.post(f"{URL}/new?kind=provider", data={"name": "新規DX株式会社"}).status_code == 302
    with in_tenant(people):
        org_id = org_named("新規DX株式会社").id
    assert "新規DX株式会社" in operator.get("/t/fukushima/users/invite").get_data(as_text=True)
    invited = operator.post("/t/fukushima/users/invite", data={
        "email": "new-staff@example.jp", "display_name": "新規 担当", "role": "provider", "organisation": org_id})
    assert invited.status_code == 302
    assert "新規DX株式会社" in operator.get("/t/fukushima/relationships").get_data(as_text=True)  # 利害関係の申告
    operator.post(f"{URL}/{org_id}/deactivate", follow_redirects=True)  # (the flash names it once)
    assert "新規DX株式会社" not in operator.get("/t/fukushima/relationships").get_data(as_text=True)
    refused = operator.post("/t/fukushima/users/invite", data={
        "email": "late@example.jp", "display_name": "遅い 担当", "role": "provider", "organisation": org_id})
    assert refused.status_code == 400


def test_deactivating_ends_the_sessions_of_its_users_and_refuses_their_login(people, operator):
    provider_client = people.test_client()
    login(provider_client, "prov@example.jp")
    assert provider_client.get("/t/fukushima/relationships").status_code == 200
    with in_tenant(people) as tenant:
        org_id = factories.provider(tenant).id
    response = operator.post(f"{URL}/{org_id}/deactivate", follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "利用者1名はログインできなくなり" in page and "1件のセッションを終了しました" in page
    after = provider_client.get("/t/fukushima/relationships")
    assert after.status_code == 302 and "/login" in after.headers["Location"]
    again = people.test_client().post("/t/fukushima/login", data={"email": "prov@example.jp", "password": factories.PASSWORD})
    assert again.status_code == 400
    with in_tenant(people):
        assert audits("organisation.deactivate")[-1].changes == {"is_active": [True, False], "users": 1, "sessions": 1}
        assert audits("auth.login_failed")
    operator.post(f"{URL}/{org_id}/reactivate")
    login(people.test_client(), "prov@example.jp")  # the same password works again


def test_operators_reach_it_from_the_settings_index(people, operator):
    assert f'href="{URL}/"' in operator.get("/t/fukushima/settings/").get_data(as_text=True)
    municipal = people.test_client()
    login(municipal, "muni@example.jp")
    assert municipal.get("/t/fukushima/settings/").status_code == 404
