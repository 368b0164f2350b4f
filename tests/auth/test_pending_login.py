"""The TOTP login's "password already checked" state is a server row, not a cookie (issue 14 §1).

The finding: with the published development key, a signed cookie `{"uid": …, "at": now}` was
forged and provider-3 was logged in with the TOTP code alone. Now the cookie holds only a random
id of a `pending_logins` row that exists only after the password step and only until it is used.
"""
import pyotp
import sqlalchemy as sa

from app.auth.models import PendingLogin, User
from app.extensions import db
from tests.auth.conftest import T
from tests.auth.test_mfa import _password, _set_secret
from tests.conftest import in_tenant


def _user_id(app, email: str) -> int:
    with in_tenant(app) as tenant:
        return db.session.scalar(sa.select(User.id).where(User.email == email)), tenant.id


def _not_logged_in(client) -> bool:
    return client.get(f"{T}/calls").status_code == 302


def test_a_forged_cookie_with_only_a_totp_code_does_not_log_in(users, client, clock):
    """The old cookie format, signed with the app's own key (what an attacker with the key makes)."""
    secret = _set_secret(users, "op@example.jp")
    user_id, tenant_id = _user_id(users, "op@example.jp")
    for forged in ({"uid": user_id, "tid": tenant_id, "at": clock.now.timestamp(), "next": f"{T}/calls"},
                   "x" * 43):
        with client.session_transaction() as s:
            s["mfa_pending"] = forged
        response = client.post(f"{T}/login/mfa", data={"code": pyotp.TOTP(secret).at(clock.now)})
        assert response.status_code == 302 and response.headers["Location"] == f"{T}/login"
        assert _not_logged_in(client)


def test_the_pending_state_is_a_server_row_that_one_success_uses_up(users, client, clock):
    secret = _set_secret(users, "op@example.jp")
    assert _password(client, "op@example.jp").headers["Location"] == f"{T}/login/mfa"
    with client.session_transaction() as s:
        pending_cookie = s["mfa_pending"]
    assert isinstance(pending_cookie, str) and "uid" not in str(dict(s))  # only a random id in the cookie
    with in_tenant(users):
        [row] = db.session.scalars(sa.select(PendingLogin)).all()
        assert row.token_hash != pending_cookie and len(row.token_hash) == 64  # its sha256, not the id
    assert client.post(f"{T}/login/mfa", data={"code": pyotp.TOTP(secret).at(clock.now)}).status_code == 302
    assert not _not_logged_in(client)
    with in_tenant(users):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PendingLogin)) == 0

    replay = users.test_client()  # the captured cookie replayed later with a fresh code
    with replay.session_transaction() as s:
        s["mfa_pending"] = pending_cookie
    clock.advance(seconds=30)
    response = replay.post(f"{T}/login/mfa", data={"code": pyotp.TOTP(secret).at(clock.now)})
    assert response.status_code == 302 and response.headers["Location"] == f"{T}/login"
    assert _not_logged_in(replay)


def test_a_pending_login_expires_at_the_server_after_five_minutes(users, client, clock):
    secret = _set_secret(users, "op@example.jp")
    _password(client, "op@example.jp")
    clock.advance(minutes=5, seconds=1)
    response = client.post(f"{T}/login/mfa", data={"code": pyotp.TOTP(secret).at(clock.now)})
    assert response.headers["Location"] == f"{T}/login" and _not_logged_in(client)
