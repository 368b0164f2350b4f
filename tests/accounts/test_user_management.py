"""ユーザー管理 (issue 7 §2): operator only, tenant-scoped, re-authenticated, audited."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.accounts import services
from app.auth.models import Role, User
from app.auth.services import AccountError
from app.core.audit import AuditEvent
from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from tests import factories
from tests.accounts.conftest import T, user_named
from tests.conftest import in_tenant, login


def _client(app, email="op@example.jp", slug="fukushima"):
    client = app.test_client()
    login(client, email, slug=slug)
    return client


def _id(app, email):
    with in_tenant(app):
        return user_named(email).id


def _is_logged_out(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("email", ["muni@example.jp", "prov@example.jp"])
def test_non_operators_get_404_everywhere(people, email):
    client, target = _client(people, email), _id(people, "op2@example.jp")
    for url in (f"{T}/users", f"{T}/users/invite", f"{T}/users/{target}"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{T}/users/{target}/deactivate").status_code == 404
    assert client.post(f"{T}/users/{target}/role", data={"role": "municipal"}).status_code == 404
    with in_tenant(people):
        assert user_named("op2@example.jp").is_active_account and user_named("op2@example.jp").role == Role.OPERATOR


def test_anonymous_visitors_go_to_login(people):
    assert _is_logged_out(people.test_client().get(f"{T}/users"))


def test_the_list_shows_state_last_login_and_pending_invitations(people):
    client = _client(people)
    client.post(f"{T}/users/invite", data={"email": "new@example.jp", "display_name": "新任 職員", "role": "operator",
                                           "organisation": _office_id(people)})
    page = client.get(f"{T}/users").get_data(as_text=True)
    assert "muni@example.jp" in page and "招待中" in page
    only_municipal = client.get(f"{T}/users?role=municipal").get_data(as_text=True)
    assert "muni@example.jp" in only_municipal and "op2@example.jp" not in only_municipal
    client.post(f"{T}/users/{_id(people, 'prov@example.jp')}/deactivate")
    inactive = client.get(f"{T}/users?status=inactive").get_data(as_text=True)
    assert "prov@example.jp" in inactive and "muni@example.jp" not in inactive


def _office_id(app):
    with in_tenant(app):
        return factories.office().id


def test_an_operator_of_another_tenant_cannot_see_or_touch_fukushima_users(people):
    with in_tenant(people):
        other = Tenant(slug="other", name="他県の事業", prefecture="静岡県", office_name="デジタル戦略課")
        db.session.add(other)
        db.session.flush()
        office = Organisation(tenant_id=other.id, kind=OrganisationKind.OFFICE, name="静岡県 デジタル戦略課")
        db.session.add(office)
        db.session.flush()
        factories.create_user(tenant_id=other.id, email="op@other.example.jp", display_name="他県 担当", role=Role.OPERATOR,
                              password=factories.PASSWORD, organisation=office)
        db.session.commit()
    client, target = _client(people, "op@other.example.jp", "other"), _id(people, "muni@example.jp")
    assert client.get(f"/t/other/users/{target}").status_code == 404
    assert client.post(f"/t/other/users/{target}/deactivate").status_code == 404
    assert "muni@example.jp" not in client.get("/t/other/users").get_data(as_text=True)
    assert client.get(f"{T}/users").status_code in (302, 404)  # not logged in at Fukushima
    with in_tenant(people):
        assert user_named("muni@example.jp").is_active_account


def test_deactivation_ends_the_users_sessions_and_login(people):
    victim = _client(people, "muni@example.jp")
    assert victim.get(f"{T}/account/password").status_code == 200
    response = _client(people).post(f"{T}/users/{_id(people, 'muni@example.jp')}/deactivate")
    assert response.status_code == 302
    assert _is_logged_out(victim.get(f"{T}/account/password"))
    assert people.test_client().post(f"{T}/login", data={"email": "muni@example.jp", "password": "test-pass-123"}).status_code != 302
    _client(people).post(f"{T}/users/{_id(people, 'muni@example.jp')}/reactivate")
    assert _is_logged_out(victim.get(f"{T}/account/password"))  # the old session stays ended
    login(people.test_client(), "muni@example.jp")
    with in_tenant(people):
        actions = list(db.session.scalars(sa.select(AuditEvent.action).where(
            AuditEvent.action.in_(["user.deactivate", "user.reactivate"])).order_by(AuditEvent.id)))
        assert actions == ["user.deactivate", "user.reactivate"]


def test_operators_cannot_deactivate_themselves(people):
    client = _client(people)
    client.post(f"{T}/users/{_id(people, 'op@example.jp')}/deactivate")
    with in_tenant(people):
        assert user_named("op@example.jp").is_active_account


def test_the_last_active_operator_cannot_be_removed(people):
    """Two operators removing each other at the same time: the second removal is refused."""
    with in_tenant(people) as tenant:
        first, second = user_named("op@example.jp"), user_named("op2@example.jp")
        services.deactivate_user(tenant, second, actor=first)
        with pytest.raises(AccountError, match="一人もいなくなる"):
            services.deactivate_user(tenant, first, actor=second)
        with pytest.raises(AccountError, match="一人もいなくなる"):
            services.change_role(tenant, first, Role.REVIEWER, factories.office(), actor=second)


def test_role_change_is_audited_ends_sessions_and_checks_the_organisation(people):
    victim = _client(people, "muni@example.jp")
    client, target = _client(people), _id(people, "muni@example.jp")
    with in_tenant(people) as tenant:
        provider_id = factories.provider(tenant).id
        db.session.commit()
    wrong = client.post(f"{T}/users/{target}/role", data={"role": "provider", "organisation": _office_id(people)})
    assert wrong.status_code == 409 and "所属組織は" in wrong.get_data(as_text=True)
    response = client.post(f"{T}/users/{target}/role", data={"role": "provider", "organisation": provider_id})
    assert response.status_code == 302
    assert _is_logged_out(victim.get(f"{T}/account/password"))
    with in_tenant(people):
        user = db.session.get(User, target)
        assert user.role == Role.PROVIDER and user.organisation_id == provider_id
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.role_change"))
        assert event.changes["role"] == ["municipal", "provider"] and event.target_id == target
        assert event.actor_id == _id(people, "op@example.jp")


def test_user_management_asks_for_a_recent_authentication(people):
    client = _client(people)
    people.config["REAUTH_MINUTES"] = 0
    response = client.get(f"{T}/users")
    assert response.status_code == 302 and "reauth" in response.headers["Location"]
    target = _id(people, "muni@example.jp")
    assert client.post(f"{T}/users/{target}/deactivate").status_code == 302
    with in_tenant(people):
        assert user_named("muni@example.jp").is_active_account


def test_the_pages_render_in_japanese(people):
    client = _client(people)
    assert "利用者を招待する" in client.get(f"{T}/users/invite").get_data(as_text=True)
    detail = client.get(f"{T}/users/{_id(people, 'muni@example.jp')}").get_data(as_text=True)
    assert "無効化する" in detail and "役割と所属組織の変更" in detail
    assert "ユーザー管理" in client.get(f"{T}/").get_data(as_text=True)  # in the operator's navigation
    assert "パスワードをお忘れの方" in people.test_client().get(f"{T}/password/forgot").get_data(as_text=True)
