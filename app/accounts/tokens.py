"""Issue, look up and consume the single-use tokens of invitation and reset links.

A token is `secrets.token_urlsafe(32)` (256 bits from the OS CSPRNG); only its sha256 is stored,
so a copy of the database does not hold usable links. Services flush, never commit.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.accounts.models import AccountToken, TokenPurpose
from app.auth.models import User
from app.core.clock import now_utc
from app.core.tokens import new_token, token_hash
from app.extensions import db

LIFETIMES = {TokenPurpose.INVITE: dt.timedelta(hours=72), TokenPurpose.RESET: dt.timedelta(hours=1)}
MAX_TOKEN_CHARS = 100  # longer path segments are not ours: refused without a query


def expire_tokens(user: User, purpose: TokenPurpose, *, now: dt.datetime | None = None) -> int:
    """Expire (void) every still-valid token of `user` for `purpose`; returns how many."""
    now = now or now_utc()
    stmt = (sa.update(AccountToken)
            .where(AccountToken.user_id == user.id, AccountToken.purpose == purpose,
                   AccountToken.used_at.is_(None), AccountToken.expires_at > now)
            .values(expires_at=now))
    return db.session.execute(stmt).rowcount or 0


def issue_token(user: User, purpose: TokenPurpose, *, now: dt.datetime | None = None) -> str:
    """Create a token for `user` and return it in clear (for the e-mail link only).

    Older valid tokens of the same purpose are voided first (only the newest link works). Lifetime:
    invitation 72 hours, reset 1 hour (`LIFETIMES`)."""
    now = now or now_utc()
    expire_tokens(user, purpose, now=now)
    token, digest = new_token()
    db.session.add(AccountToken(tenant_id=user.tenant_id, user_id=user.id, purpose=purpose, token_hash=digest,
                                expires_at=now + LIFETIMES[purpose], created_at=now))
    db.session.flush()
    return token


def valid_token(tenant, token: str, purpose: TokenPurpose, *, now: dt.datetime | None = None) -> AccountToken | None:
    """The unused, unexpired token `token` of `purpose` in `tenant` whose user is active, or None
    (unknown, of another tenant, used, expired, or the account was deactivated)."""
    if not token or len(token) > MAX_TOKEN_CHARS:
        return None
    now = now or now_utc()
    row = db.session.scalar(sa.select(AccountToken).where(
        AccountToken.token_hash == token_hash(token), AccountToken.purpose == purpose,
        AccountToken.tenant_id == tenant.id))
    if row is None or row.used_at is not None or row.expires_at <= now or not row.user.is_active_account:
        return None
    return row


def recent_count(user: User, purpose: TokenPurpose, since: dt.datetime) -> int:
    """How many tokens of `purpose` were issued to `user` since `since` (request throttling)."""
    stmt = sa.select(sa.func.count()).select_from(AccountToken).where(
        AccountToken.user_id == user.id, AccountToken.purpose == purpose, AccountToken.created_at >= since)
    return db.session.scalar(stmt) or 0


def latest_invitation(user: User) -> AccountToken | None:
    """The newest invitation token of `user`, or None (never invited: created another way)."""
    stmt = (sa.select(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == TokenPurpose.INVITE)
            .order_by(AccountToken.id.desc()).limit(1))
    return db.session.scalar(stmt)


def consume_all(user: User, *, now: dt.datetime) -> None:
    """Mark every unused token of `user` used (a password was set: no older link may set another)."""
    db.session.execute(sa.update(AccountToken)
                       .where(AccountToken.user_id == user.id, AccountToken.used_at.is_(None))
                       .values(used_at=now))
