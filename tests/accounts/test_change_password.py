"""Changing one's own password (issue 7 §2): current password required; other sessions end."""
from __future__ import annotations

import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.extensions import db
from tests.accounts.conftest import T
from tests.conftest import in_tenant, login

NEW = "猪苗代湖の白鳥が好き"


def _change(client, current, new=NEW, confirm=None):
    return client.post(f"{T}/account/password", data={"current": current, "password": new, "confirm": confirm or new})


def test_change_keeps_this_session_and_ends_the_others(people):
    here, elsewhere = people.test_client(), people.test_client()
    login(here, "muni@example.jp")
    login(elsewhere, "muni@example.jp")
    assert _change(here, "test-pass-123").status_code == 302
    assert here.get(f"{T}/account/password").status_code == 200
    stale = elsewhere.get(f"{T}/account/password")
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]
    login(people.test_client(), "muni@example.jp", NEW)


def test_wrong_current_password_is_refused_and_audited(people):
    client = people.test_client()
    login(client, "muni@example.jp")
    response = _change(client, "not-my-password")
    assert response.status_code == 400 and "現在のパスワードが正しくありません" in response.get_data(as_text=True)
    login(people.test_client(), "muni@example.jp")  # unchanged
    with in_tenant(people):
        assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "user.password_change_failed"))


def test_weak_new_password_is_refused_with_every_problem(people):
    client = people.test_client()
    login(client, "muni@example.jp")
    response = _change(client, "test-pass-123", new="muni1")
    text = response.get_data(as_text=True)
    assert response.status_code == 400 and "8文字以上" in text and "メールアドレスや氏名" in text
    login(people.test_client(), "muni@example.jp")


def test_anonymous_visitors_go_to_the_login_page(people):
    response = people.test_client().get(f"{T}/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
