"""Server-side sessions: logout, revocation and deactivation end a session at the server (a copied
cookie stops working), idle and absolute timeouts, a new session id at each login."""
import hashlib

import sqlalchemy as sa

from app.auth.models import User, UserSession
from app.auth.sessions import revoke_user_sessions
from app.core.audit import AuditEvent
from app.extensions import db
from tests.auth.conftest import T, replay, session_cookie
from tests.conftest import in_tenant, login

PAGE = f"{T}/calls"  # operators only: 200 logged in, 302 to the login page otherwise


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _sessions(app, email: str) -> list[UserSession]:
    with in_tenant(app):
        rows = db.session.scalars(sa.select(UserSession).join(User, User.id == UserSession.user_id)
                                  .where(User.email == email).order_by(UserSession.id)).all()
        db.session.expunge_all()
        return rows


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_cookie_copied_before_logout_is_refused_after_it(users, client):
    login(client, "op@example.jp")
    stolen = session_cookie(client)
    assert replay(users, stolen).get(PAGE).status_code == 200  # the copy works while the session lives
    client.post(f"{T}/logout")
    assert _is_login_redirect(replay(users, stolen).get(PAGE))
    [row] = _sessions(users, "op@example.jp")
    assert row.revoked_at is not None and row.revoke_reason == "logout"


def test_revoke_user_sessions_ends_every_session_of_the_user_only(users):
    browsers = [users.test_client() for _ in range(2)]
    for browser in browsers:
        login(browser, "op@example.jp")
    other = users.test_client()
    login(other, "rev@example.jp")
    with in_tenant(users):
        assert revoke_user_sessions(_user("op@example.jp"), reason="password_change") == 2
        db.session.commit()
        audit = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "auth.sessions_revoked"))
        assert audit.changes == {"reason": "password_change", "count": 2}
    for browser in browsers:
        assert _is_login_redirect(browser.get(PAGE))
    assert other.get(f"{T}/notifications").status_code == 200


def test_deactivating_the_user_ends_the_session(users, client):
    login(client, "op@example.jp")
    with in_tenant(users):
        _user("op@example.jp").is_active_account = False
        db.session.commit()
    assert _is_login_redirect(client.get(PAGE))


def test_deactivating_the_organisation_ends_its_users_sessions(users, client):
    login(client, "muni@example.jp")
    assert client.get(f"{T}/notifications").status_code == 200
    with in_tenant(users):
        _user("muni@example.jp").organisation.is_active = False
        db.session.commit()
    assert _is_login_redirect(client.get(f"{T}/notifications"))


def test_idle_session_expires_after_30_minutes_and_activity_extends_it(users, client, clock):
    login(client, "op@example.jp")
    clock.advance(minutes=25)
    assert client.get(PAGE).status_code == 200  # activity at 25 min
    clock.advance(minutes=25)
    assert client.get(PAGE).status_code == 200  # 50 min after login, 25 idle
    clock.advance(minutes=30)
    assert _is_login_redirect(client.get(PAGE))
    row = _sessions(users, "op@example.jp")[0]
    assert row.revoke_reason == "idle_timeout"
    clock.advance(minutes=1)  # a revoked session stays dead
    assert _is_login_redirect(client.get(PAGE))


def test_session_ends_after_8_hours_even_when_active(users, client, clock):
    login(client, "op@example.jp")
    for _ in range(23):  # every 20 minutes for 7 h 40 min
        clock.advance(minutes=20)
        assert client.get(PAGE).status_code == 200
    clock.advance(minutes=20)
    assert _is_login_redirect(client.get(PAGE))
    assert _sessions(users, "op@example.jp")[0].revoke_reason == "absolute_timeout"


def test_last_seen_is_written_at_most_once_a_minute(users, client, clock):
    login(client, "op@example.jp")
    first = _sessions(users, "op@example.jp")[0].last_seen_at
    clock.advance(seconds=30)
    client.get(PAGE)
    assert _sessions(users, "op@example.jp")[0].last_seen_at == first
    clock.advance(seconds=40)
    client.get(PAGE)
    assert _sessions(users, "op@example.jp")[0].last_seen_at > first


def test_login_issues_a_new_session_id_and_drops_what_was_in_the_session(users, client):
    with client.session_transaction() as planted:
        planted["sid"] = "attacker-chosen-id"
        planted["planted"] = "x"
    login(client, "op@example.jp")
    with client.session_transaction() as current:
        first_sid = current["sid"]
        assert first_sid != "attacker-chosen-id" and len(first_sid) >= 43 and "planted" not in current
    client.post(f"{T}/logout")
    login(client, "op@example.jp")
    with client.session_transaction() as current:
        assert current["sid"] != first_sid
    rows = _sessions(users, "op@example.jp")
    assert rows[-1].token_hash == hashlib.sha256(current["sid"].encode()).hexdigest()
    assert rows[-1].token_hash != current["sid"]  # only the hash is stored


def test_a_forged_sid_without_a_row_is_not_logged_in(users, client):
    login(client, "op@example.jp")
    with client.session_transaction() as current:
        current["sid"] = "guessed-session-id"
    assert _is_login_redirect(client.get(PAGE))


def test_logging_in_again_ends_the_previous_session_of_the_browser(users, client):
    login(client, "op@example.jp")
    old = session_cookie(client)
    login(client, "op@example.jp")
    assert _is_login_redirect(replay(users, old).get(PAGE))
    assert [r.revoke_reason for r in _sessions(users, "op@example.jp")] == ["relogin", ""]
