"""Login throttling per account, in the database (issue 7 §2; ASVS 5.0 V6.3.1).

Keyed by (tenant, normalised e-mail) — e-mails with no account get a row too, so the lock does not
reveal which accounts exist. After `LOGIN_MAX_FAILURES` (5) failures within
`LOGIN_FAILURE_WINDOW_MINUTES` (15) the key is locked for `LOGIN_LOCK_MINUTES` (15), doubling with
each further lock (capped at 24 h) until a success resets it. While locked the login view shows
the same generic message as for a wrong password and does not check the password at all.
Services flush, never commit.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import current_app

from app.auth.models import LoginThrottle
from app.core.audit import record_audit
from app.core import clock
from app.extensions import db

MAX_LOCK = dt.timedelta(hours=24)


def normalise_email(email: str) -> str:
    """The throttle key's e-mail: trimmed, lower case, at most 254 characters."""
    return (email or "").strip().lower()[:254]


def _setting(key: str, default: int) -> int:
    return int(current_app.config.get(key, default))


def _find(tenant_id: int | None, email: str, *, lock: bool = False) -> LoginThrottle | None:
    stmt = sa.select(LoginThrottle).where(LoginThrottle.tenant_key == (tenant_id or 0),
                                          LoginThrottle.email == normalise_email(email))
    if lock:
        stmt = stmt.with_for_update()
    return db.session.scalar(stmt)


def is_locked(tenant_id: int | None, email: str) -> bool:
    """True while the (tenant, e-mail) key is locked out (`tenant_id` None: platform admins)."""
    row = _find(tenant_id, email)
    return row is not None and row.locked_until is not None and row.locked_until > clock.now_utc()


def _get_or_create(tenant_id: int | None, email: str) -> LoginThrottle:
    row = _find(tenant_id, email, lock=True)
    if row is not None:
        return row
    row = LoginThrottle(tenant_id=tenant_id, tenant_key=tenant_id or 0, email=normalise_email(email),
                        failures=0, lock_count=0)
    try:
        with db.session.begin_nested():  # two first failures at once: the loser re-reads the winner's row
            db.session.add(row)
    except sa.exc.IntegrityError:
        row = _find(tenant_id, email, lock=True)
    return row


def register_failure(tenant_id: int | None, email: str) -> bool:
    """Count one failed attempt; return True when this failure locked the key.

    Failures older than the window start a new count. A lock lasts `LOGIN_LOCK_MINUTES` × 2^(earlier
    locks), at most 24 h, and is audited as `auth.login_locked`. Flushes.
    """
    row = _get_or_create(tenant_id, email)
    now = clock.now_utc()
    window = dt.timedelta(minutes=_setting("LOGIN_FAILURE_WINDOW_MINUTES", 15))
    if row.first_failure_at is None or now - row.first_failure_at > window:
        row.failures, row.first_failure_at = 0, now
    row.failures += 1
    if row.failures < _setting("LOGIN_MAX_FAILURES", 5):
        db.session.flush()
        return False
    lock_for = min(dt.timedelta(minutes=_setting("LOGIN_LOCK_MINUTES", 15)) * (2 ** min(row.lock_count, 10)), MAX_LOCK)
    row.locked_until, row.lock_count = now + lock_for, row.lock_count + 1
    row.failures, row.first_failure_at = 0, None
    record_audit("auth.login_locked", tenant_id=tenant_id, target=row,
                 changes={"email": row.email, "minutes": int(lock_for.total_seconds() // 60)})
    db.session.flush()
    return True


def register_success(tenant_id: int | None, email: str) -> None:
    """A successful login clears the key's failures and lock history. Flushes."""
    row = _find(tenant_id, email)
    if row is not None:
        db.session.delete(row)
        db.session.flush()
