"""Invitation by e-mail with an expiring, single-use link (issue 7 §2)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.accounts.models import AccountToken
from app.auth.models import Role
from app.core.audit import AuditEvent
from app.extensions import db
from app.notifications.states import NotificationState
from tests import factories
from tests.accounts.conftest import T, link_path, mails_to, user_named
from tests.conftest import in_tenant, login

NEW_PASSWORD = "ふくしまの桃は甘い2024"


def _invite(app, client, email="new@example.jp", role="municipal", lg_code="072028"):
    with in_tenant(app):
        org_id = factories.municipality(lg_code).id if role == "municipal" else factories.office().id
    return client.post(f"{T}/users/invite", data={"email": email, "display_name": "新任 職員", "role": role,
                                                  "organisation": org_id})


def _invited(people):
    client = people.test_client()
    login(client, "op@example.jp")
    response = _invite(people, client)
    assert response.status_code == 302, response.get_data(as_text=True)
    [mail] = mails_to(people, "new@example.jp", "accounts.invite")
    return client, mail


def _accept(client, path, password=NEW_PASSWORD, **extra):
    return client.post(path, data={"password": password, "confirm": password, **extra})


def test_invite_queues_a_mail_whose_link_sets_the_password_and_then_login_works(people):
    _client, mail = _invited(people)
    assert mail.state == NotificationState.QUEUED and "/t/fukushima/invitations/" in mail.sent_body
    guest = people.test_client()
    assert guest.post(f"{T}/login", data={"email": "new@example.jp", "password": NEW_PASSWORD}).status_code != 302
    assert guest.get(link_path(mail)).status_code == 200
    response = _accept(guest, link_path(mail))
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{T}/login")
    login(people.test_client(), "new@example.jp", NEW_PASSWORD)
    with in_tenant(people):
        user = user_named("new@example.jp")
        assert user.role == Role.MUNICIPAL and user.organisation.lg_code == "072028"
        actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.target_id == user.id)))
        assert {"user.invite", "user.invitation_accept"} <= actions


def test_the_token_is_stored_only_as_a_hash(people):
    _client, mail = _invited(people)
    token = link_path(mail).rsplit("/", 1)[1]
    with in_tenant(people):
        stored = db.session.scalar(sa.select(AccountToken.token_hash))
    assert len(token) >= 43 and token not in stored and len(stored) == 64


def test_the_link_cannot_be_used_twice(people):
    _client, mail = _invited(people)
    guest = people.test_client()
    assert _accept(guest, link_path(mail)).status_code == 302
    again = _accept(guest, link_path(mail), password="another-long-secret")
    assert again.status_code == 410 and "このリンクは使えません" in again.get_data(as_text=True)
    assert guest.get(link_path(mail)).status_code == 410
    login(people.test_client(), "new@example.jp", NEW_PASSWORD)  # the second try changed nothing


def test_an_expired_link_is_refused_and_nothing_is_written(people, monkeypatch):
    _client, mail = _invited(people)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=72, minutes=1)
    monkeypatch.setattr("app.accounts.tokens.now_utc", lambda: later)
    monkeypatch.setattr("app.accounts.services.now_utc", lambda: later)
    guest = people.test_client()
    assert guest.get(link_path(mail)).status_code == 410
    assert _accept(guest, link_path(mail)).status_code == 410
    with in_tenant(people):
        assert db.session.scalar(sa.select(AccountToken.used_at)) is None
    assert people.test_client().post(f"{T}/login", data={"email": "new@example.jp", "password": NEW_PASSWORD}).status_code != 302


def test_a_link_within_72_hours_still_works(people, monkeypatch):
    _client, mail = _invited(people)
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=71)
    monkeypatch.setattr("app.accounts.tokens.now_utc", lambda: later)
    assert people.test_client().get(link_path(mail)).status_code == 200


def test_resending_voids_the_earlier_link(people):
    client, first = _invited(people)
    with in_tenant(people):
        user_id = user_named("new@example.jp").id
    assert client.post(f"{T}/users/{user_id}/resend-invitation").status_code == 302
    _first, second = mails_to(people, "new@example.jp", "accounts.invite")
    guest = people.test_client()
    assert guest.get(link_path(first)).status_code == 410
    assert _accept(guest, link_path(second)).status_code == 302


def test_a_token_of_fukushima_is_unknown_in_another_tenant(people):
    _client, mail = _invited(people)
    with in_tenant(people):
        from app.tenancy.models import Tenant

        db.session.add(Tenant(slug="other", name="他県の事業", prefecture="静岡県", office_name="デジタル戦略課"))
        db.session.commit()
    path = link_path(mail).replace("/t/fukushima/", "/t/other/")
    assert people.test_client().get(path).status_code == 410
    assert _accept(people.test_client(), path).status_code == 410


def test_accepting_ignores_posted_tenant_role_and_state(people):
    """No mass assignment: the invitation page sets the password and nothing else."""
    _client, mail = _invited(people)
    with in_tenant(people) as tenant:
        before = user_named("new@example.jp")
        snapshot = (before.tenant_id, before.role, before.organisation_id, before.email, before.display_name)
        other_org = factories.provider(tenant).id
    response = _accept(people.test_client(), link_path(mail), role="operator", tenant_id="999", is_active_account="0",
                       organisation_id=str(other_org), email="evil@example.jp", display_name="乗っ取り")
    assert response.status_code == 302
    with in_tenant(people):
        after = user_named("new@example.jp")
        assert (after.tenant_id, after.role, after.organisation_id, after.email, after.display_name) == snapshot
        assert after.is_active_account


def test_a_weak_password_on_the_invitation_page_is_refused_with_messages(people):
    _client, mail = _invited(people)
    guest = people.test_client()
    response = _accept(guest, link_path(mail), password="password1")
    assert response.status_code == 400 and "よく使われていて" in response.get_data(as_text=True)
    response = guest.post(link_path(mail), data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD + "x"})
    assert response.status_code == 400 and "一致しません" in response.get_data(as_text=True)
    assert _accept(guest, link_path(mail)).status_code == 302  # the link was not used up by the failures


def test_role_and_organisation_must_match(people):
    client = people.test_client()
    login(client, "op@example.jp")
    with in_tenant(people) as tenant:
        provider_org = factories.provider(tenant).id
    response = client.post(f"{T}/users/invite", data={"email": "x@example.jp", "display_name": "X", "role": "municipal",
                                                      "organisation": provider_org})
    assert response.status_code == 400 and "所属組織は" in response.get_data(as_text=True)
    duplicate = _invite(people, client, email="muni@example.jp")
    assert duplicate.status_code == 400 and "既に登録されています" in duplicate.get_data(as_text=True)
    with in_tenant(people):
        assert user_named("x@example.jp") is None
    assert mails_to(people, "x@example.jp", "accounts.invite") == []
