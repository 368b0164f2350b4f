"""Login throttling: 5 failures lock (account, client address) — known account or not — for 15
minutes, never longer, with the same generic message and without checking the password; the person
at another address can still log in; success resets the key. Over all addresses an account gets a
ceiling of refused attempts (429). Attempts refused by a lock or a limit write no audit row."""
import pytest
import sqlalchemy as sa

from app.auth.models import LoginThrottle
from app.core.audit import AuditEvent
from app.extensions import db
from tests import factories
from tests.auth.conftest import T
from tests.conftest import enable_rate_limits, in_tenant

GENERIC = "メールアドレスまたはパスワードが正しくありません"
ATTACKER, OWNER = "203.0.113.66", "198.51.100.7"


def _post(client, email: str, password: str, address: str = ATTACKER):
    return client.post(f"{T}/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def _fail(client, email: str, times: int, address: str = ATTACKER) -> None:
    for _ in range(times):
        response = _post(client, email, "wrong-password", address)
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


def test_every_lock_lasts_15_minutes_however_often_it_is_locked(users, client, clock):
    for _ in range(4):  # the lock used to double each time, up to 24 h
        _fail(client, "op@example.jp", 5)
        assert _post(client, "op@example.jp", factories.PASSWORD).status_code == 400
        clock.advance(minutes=15, seconds=1)
    assert _post(client, "op@example.jp", factories.PASSWORD).status_code == 302
    assert _actions(users).count("auth.login_locked") == 4


def test_the_lock_is_per_account(users, client, clock):
    _fail(client, "op@example.jp", 5)
    assert _post(client, "rev@example.jp", factories.PASSWORD).status_code == 302


def test_a_lock_from_one_address_does_not_lock_the_owner_out_from_another(users, client, clock):
    _fail(client, "op@example.jp", 5, address=ATTACKER)
    assert _post(client, "op@example.jp", factories.PASSWORD, address=ATTACKER).status_code == 400
    assert _post(client, "op@example.jp", factories.PASSWORD, address=OWNER).status_code == 302


def test_attempts_refused_by_the_lock_write_no_audit_row(users, client, clock):
    _fail(client, "op@example.jp", 5)
    before = len(_actions(users))
    for _ in range(20):
        assert _post(client, "op@example.jp", "wrong-password").status_code == 400
    assert len(_actions(users)) == before


def test_the_account_ceiling_over_all_addresses_answers_429_before_the_password(users, client, clock, monkeypatch):
    enable_rate_limits(users, RATELIMIT_LOGIN_ACCOUNT="8 per hour")
    for address in ("192.0.2.1", "192.0.2.2"):  # 4 each: no address is locked
        _fail(client, "op@example.jp", 4, address=address)
    before = len(_actions(users))
    monkeypatch.setattr("app.auth.views.authenticate", lambda *a: pytest.fail("password checked"))
    response = _post(client, "op@example.jp", factories.PASSWORD, address="192.0.2.3")
    assert response.status_code == 429 and int(response.headers["Retry-After"]) > 0
    assert "しばらくお待ちください" in response.get_data(as_text=True)
    assert len(_actions(users)) == before  # the refused attempt is not audited
    monkeypatch.undo()
    assert _post(client, "rev@example.jp", factories.PASSWORD, address="192.0.2.3").status_code == 302


def test_password_spraying_from_one_address_is_stopped_without_an_audit_row_each(users, client, clock):
    enable_rate_limits(users, RATELIMIT_LOGIN="1000 per minute", RATELIMIT_LOGIN_FAILURES="20 per 10 minutes")
    statuses = [_post(client, f"user{i}@example.jp", "Spring2024!").status_code for i in range(60)]
    assert statuses[:20] == [400] * 20 and set(statuses[20:]) == {429}
    assert _actions(users).count("auth.login_failed") == 20
    # Another address is not affected, and neither is this one once the window has passed.
    assert _post(client, "op@example.jp", factories.PASSWORD, address=OWNER).status_code == 302
