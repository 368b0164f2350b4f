"""Login throttling per account in the database: 5 failures lock the account (known or not) for
15 minutes with the same generic message, without checking the password; success resets it."""
import sqlalchemy as sa

from app.auth.models import LoginThrottle
from app.core.audit import AuditEvent
from app.extensions import db
from tests import factories
from tests.auth.conftest import T
from tests.conftest import in_tenant

GENERIC = "メールアドレスまたはパスワードが正しくありません"


def _post(client, email: str, password: str):
    return client.post(f"{T}/login", data={"email": email, "password": password})


def _fail(client, email: str, times: int) -> None:
    for _ in range(times):
        response = _post(client, email, "wrong-password")
        assert response.status_code == 400 and GENERIC in response.get_data(as_text=True)


def _actions(app) -> list[str]:
    with in_tenant(app):
        return db.session.scalars(sa.select(AuditEvent.action).order_by(AuditEvent.id)).all()


def test_five_failures_lock_the_account_with_the_generic_message(users, client, clock, monkeypatch):
    _fail(client, "op@example.jp", 5)
    assert _actions(users).count("auth.login_locked") == 1

    def must_not_run(*args, **kwargs):
        raise AssertionError("the password of a locked account must not be checked")

    monkeypatch.setattr("app.auth.views.authenticate", must_not_run)
    response = _post(client, "op@example.jp", factories.PASSWORD)  # right password, still refused
    assert response.status_code == 400 and GENERIC in response.get_data(as_text=True)
    assert client.get(f"{T}/calls").status_code == 302


def test_the_lock_ends_after_15_minutes_and_success_resets_the_count(users, client, clock):
    _fail(client, "op@example.jp", 5)
    clock.advance(minutes=14)
    assert _post(client, "op@example.jp", factories.PASSWORD).status_code == 400
    clock.advance(minutes=2)
    assert _post(client, "op@example.jp", factories.PASSWORD).status_code == 302
    with in_tenant(users):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginThrottle)) == 0


def test_unknown_emails_are_locked_too_so_locks_reveal_no_accounts(users, client, clock):
    _fail(client, "Nobody@Example.jp ", 5)
    with in_tenant(users):
        row = db.session.scalar(sa.select(LoginThrottle))
        assert row.email == "nobody@example.jp" and row.locked_until > clock.now
    assert "auth.login_locked" in _actions(users)


def test_failures_spread_beyond_the_window_do_not_lock(users, client, clock):
    _fail(client, "op@example.jp", 4)
    clock.advance(minutes=16)
    _fail(client, "op@example.jp", 4)
    assert _post(client, "op@example.jp", factories.PASSWORD).status_code == 302


def test_a_second_lock_lasts_longer(users, client, clock):
    _fail(client, "op@example.jp", 5)
    clock.advance(minutes=16)
    _fail(client, "op@example.jp", 5)
    clock.advance(minutes=16)  # the second lock is 30 minutes
    assert _post(client, "op@example.jp", factories.PASSWORD).status_code == 400
    clock.advance(minutes=15)
    assert _post(client, "op@example.jp", factories.PASSWORD).status_code == 302


def test_the_lock_is_per_account(users, client, clock):
    _fail(client, "op@example.jp", 5)
    assert _post(client, "rev@example.jp", factories.PASSWORD).status_code == 302
