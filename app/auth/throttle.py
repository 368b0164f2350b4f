"""Login throttling (issue 7 §2, issue 14 §3; ASVS 5.0 V6.3.1): a lock per (account, client address)
in the database, and a ceiling per account over all addresses in the rate-limit storage.

Why two keys. A lock per account alone let anyone lock a person out from anywhere: five wrong
passwords, repeated, kept a known account locked (and the lock used to double up to 24 h). So:

- **Lock per (tenant, normalised e-mail, client address)** (`login_throttles`; e-mails with no
  account get rows too, so a lock reveals no account). After `LOGIN_MAX_FAILURES` (5) refused
  passwords or codes within `LOGIN_FAILURE_WINDOW_MINUTES` (15) that key is locked for
  `LOGIN_LOCK_MINUTES` (15) — a fixed cap, no doubling. While locked the login view shows the same
  generic message as for a wrong password and checks no password. The person at another address
  is not locked by it. One audit row (`auth.login_locked`) per lock; attempts refused by the lock
  write none.
- **Ceiling per account, all addresses** (`RATELIMIT_LOGIN_ACCOUNT`, 100 refused attempts an hour,
  the bound ASVS 4.0 V2.2.1 set against distributed guessing): checked before the password, 429 with
  Retry-After. To reach it an attacker needs ≥ 5 addresses at once, since each address is held to 5
  failures per 15 minutes by its own lock, and it ends with its window (at most an hour).
- Spraying many accounts from one address is stopped per address, before the password is checked,
  by the route limits `RATELIMIT_LOGIN` / `RATELIMIT_LOGIN_FAILURES` (`app.ratelimits`).

Addresses are `app.core.ratelimit.client_address()` (IPv6 per /64). Services flush, never commit.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from app.auth.models import LoginThrottle
from app.core import ratelimit
from app.core.audit import record_audit
from app.core import clock
from app.extensions import db

ACCOUNT_LIMIT = "RATELIMIT_LOGIN_ACCOUNT"


def normalise_email(email: str) -> str:
    """The throttle key's e-mail: trimmed, lower case, at most 254 characters."""
    return (email or "").strip().lower()[:254]


def _setting(key: str, default: int) -> int:
    return int(current_app.config.get(key, default))


def _account_identity(tenant_id: int | None, email: str) -> str:
    return f"{tenant_id or 0}|{normalise_email(email)}"


def _find(tenant_id: int | None, email: str, address: str, *, lock: bool = False) -> LoginThrottle | None:
    stmt = sa.select(LoginThrottle).where(LoginThrottle.tenant_key == (tenant_id or 0),
                                          LoginThrottle.email == normalise_email(email),
                                          LoginThrottle.client_address == address[:64])
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


def refuse_if_account_exhausted(tenant_id: int | None, email: str) -> None:
    """Raise `app.core.ratelimit.RateLimited` (429) while the account's refused attempts from all
    addresses have reached `RATELIMIT_LOGIN_ACCOUNT`; call before checking a password or code."""
    ratelimit.refuse_if_exhausted(ACCOUNT_LIMIT, _account_identity(tenant_id, email))


def is_locked(tenant_id: int | None, email: str, *, address: str) -> bool:
    """True while the (tenant, e-mail, client address) key is locked out (`tenant_id` None:
    platform admins; `address` from `app.core.ratelimit.client_address()`)."""
    row = _find(tenant_id, email, address)
    return row is not None and row.locked_until is not None and row.locked_until > clock.now_utc()


def _get_or_create(tenant_id: int | None, email: str, address: str) -> LoginThrottle:
    row = _find(tenant_id, email, address, lock=True)
    if row is not None:
        return row
    row = LoginThrottle(tenant_id=tenant_id, tenant_key=tenant_id or 0, email=normalise_email(email),
                        client_address=address[:64], failures=0, lock_count=0)
    try:
        with db.session.begin_nested():  # two first failures at once: the loser re-reads the winner's row
            db.session.add(row)
    except sa.exc.IntegrityError:
        row = _find(tenant_id, email, address, lock=True)
    return row


def register_failure(tenant_id: int | None, email: str, *, address: str) -> bool:
    """Count one refused password or code of (tenant, e-mail) from `address`, on its lock key and on
    the account's ceiling; return True when this failure locked the key.

    Failures older than the window start a new count. A lock lasts `LOGIN_LOCK_MINUTES`, every time
    (no doubling: the cap is what keeps the lock from being a denial of service), and is audited
    once as `auth.login_locked`. Flushes.
    """
    ratelimit.count_attempt(ACCOUNT_LIMIT, _account_identity(tenant_id, email))
    row = _get_or_create(tenant_id, email, address)
    now = clock.now_utc()
    window = dt.timedelta(minutes=_setting("LOGIN_FAILURE_WINDOW_MINUTES", 15))
    if row.first_failure_at is None or now - row.first_failure_at > window:
        row.failures, row.first_failure_at = 0, now
    row.failures += 1
    if row.failures < _setting("LOGIN_MAX_FAILURES", 5):
        db.session.flush()
        return False
    lock_for = dt.timedelta(minutes=_setting("LOGIN_LOCK_MINUTES", 15))
    row.locked_until, row.lock_count = now + lock_for, row.lock_count + 1
    row.failures, row.first_failure_at = 0, None
    record_audit("auth.login_locked", tenant_id=tenant_id, target=row,
                 changes={"email": row.email, "minutes": int(lock_for.total_seconds() // 60)})
    db.session.flush()
    return True


def register_success(tenant_id: int | None, email: str, *, address: str) -> None:
    """A successful login clears the failures of its (tenant, e-mail, address) key. Flushes."""
    row = _find(tenant_id, email, address)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
