"""Server-side sessions behind Flask-Login (issue 7 §1; ASVS 5.0 V7).

The signed Flask cookie carries a random session id (`flask.session["sid"]`, 256 bits); the
`user_sessions` table keeps only its sha256 with created / last seen / authenticated / revoked
times. `app.auth.views.load_user` accepts a request only while that row is live (see
`live_session`), so logout, `revoke_user_sessions` (password change, deactivation) and the idle
and absolute timeouts end a session at the server: replaying an old cookie gets the login page.

Public: `start_session`, `revoke_user_sessions`, `revoke_organisation_sessions`,
`revoke_current_session`, `current_session`, `live_session`, `touch_current_session`,
`mark_reauthenticated`, `register_reauth_failure`, `recent_auth_required`, and for the TOTP
login step `start_pending_login`, `pending_login`, `end_pending_login`.
"""
from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, g, has_request_context, redirect, request, session, url_for
from flask_login import current_user, login_user

from app.auth.models import PendingLogin, User, UserSession
from app.core.audit import record_audit
from app.core import clock
from app.core.tokens import new_token, token_hash
from app.extensions import db

SID_KEY = "sid"
PENDING_KEY = "mfa_pending"  # the cookie's random id of a `PendingLogin` row
PENDING_SECONDS = 300  # the password step is valid this long for the code step
TOUCH_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often (no write per request)


def _minutes(key: str, default: int) -> dt.timedelta:
    return dt.timedelta(minutes=int(current_app.config.get(key, default)))


def idle_timeout() -> dt.timedelta:
    """Config `SESSION_IDLE_MINUTES` (default 30) as a timedelta."""
    return _minutes("SESSION_IDLE_MINUTES", 30)


def absolute_lifetime() -> dt.timedelta:
    """Config `SESSION_ABSOLUTE_HOURS` (default 8) as a timedelta."""
    return dt.timedelta(hours=int(current_app.config.get("SESSION_ABSOLUTE_HOURS", 8)))


def start_session(user: User) -> UserSession:
    """Log `user` in with a brand-new server-side session and return its row (flushed).

    Revokes the browser's previous session if any ("relogin"), clears the Flask session (no
    fixation: nothing from before login survives), calls `flask_login.login_user`, stores a new
    `secrets.token_urlsafe(32)` id in `flask.session["sid"]` and adds a `UserSession` keyed by its
    sha256. Login counts as authentication (`authenticated_at` = now) for `recent_auth_required`.
    The caller commits.
    """
    _revoke_cookie_session("relogin")
    session.clear()
    login_user(user)
    session[SID_KEY], digest = new_token()
    now = clock.now_utc()
    row = UserSession(
        tenant_id=user.tenant_id, user_id=user.id, token_hash=digest,
        created_at=now, last_seen_at=now, authenticated_at=now, reauth_failures=0,
        ip=(request.remote_addr or "")[:64] if has_request_context() else "",
        user_agent=(request.user_agent.string or "")[:200] if has_request_context() else "",
    )
    db.session.add(row)
    db.session.flush()
    g.user_session = row
    return row


def _expiry_reason(row: UserSession, now: dt.datetime) -> str:
    if now - row.last_seen_at >= idle_timeout():
        return "idle_timeout"
    if now - row.created_at >= absolute_lifetime():
        return "absolute_timeout"
    return ""


def live_session(user: User) -> UserSession | None:
    """The live `UserSession` of this request's cookie for `user`, or None.

    None when the cookie has no sid, the sid is unknown, belongs to another user, or is revoked.
    A row past the idle (`SESSION_IDLE_MINUTES`) or absolute (`SESSION_ABSOLUTE_HOURS`) limit is
    revoked here with its reason and None is returned. `last_seen_at` is refreshed at most once a
    minute; `g.session_dirty` tells the request hook to commit that write.
    """
    sid = session.get(SID_KEY)
    if not isinstance(sid, str) or not sid:
        return None
    row = db.session.scalar(sa.select(UserSession).where(UserSession.token_hash == token_hash(sid)))
    if row is None or row.user_id != user.id or row.revoked_at is not None:
        return None
    now = clock.now_utc()
    reason = _expiry_reason(row, now)
    if reason:
        _revoke(row, now, reason)
        record_audit("auth.session_expired", tenant_id=row.tenant_id, actor=user, target=row, changes={"reason": reason})
        g.session_dirty = True
        return None
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
        g.session_dirty = True
    g.user_session = row
    return row


def current_session() -> UserSession | None:
    """The `UserSession` accepted for this request (after the user loader ran), or None."""
    if not current_user.is_authenticated:
        return None
    return getattr(g, "user_session", None)


def touch_current_session() -> UserSession | None:
    """Mark the current session as seen now (the keep-alive endpoint). The caller commits."""
    row = current_session()
    if row is not None:
        row.last_seen_at = clock.now_utc()
    return row


def _revoke_cookie_session(reason: str) -> None:
    sid = session.get(SID_KEY)
    if isinstance(sid, str) and sid:
        row = db.session.scalar(sa.select(UserSession).where(UserSession.token_hash == token_hash(sid)))
        if row is not None and row.revoked_at is None:
            _revoke(row, clock.now_utc(), reason)


def mark_reauthenticated() -> None:
    """Record a successful re-authentication on the current session: `authenticated_at` = now and a
    new session id (the cookie from before the re-authentication stops working). Caller commits."""
    row = current_session()
    if row is not None:
        session[SID_KEY], row.token_hash = new_token()
        row.authenticated_at = clock.now_utc()
        row.last_seen_at = row.authenticated_at
        row.reauth_failures = 0


def register_reauth_failure() -> bool:
    """Count a failed re-authentication on the current session; at `REAUTH_MAX_FAILURES` (5) the
    session is revoked and True returned (the caller logs out). Per session, not per account, so a
    stolen cookie cannot lock the owner out. Audits `auth.reauth_failed`. The caller commits."""
    row = current_session()
    if row is None:
        return True
    row.reauth_failures += 1
    user = current_user._get_current_object()
    record_audit("auth.reauth_failed", tenant_id=row.tenant_id, actor=user, target=user,
                 changes={"failures": row.reauth_failures})
    if row.reauth_failures < int(current_app.config.get("REAUTH_MAX_FAILURES", 5)):
        return False
    _revoke(row, clock.now_utc(), "reauth_failed")
    return True


def _revoke(row: UserSession, now: dt.datetime, reason: str) -> None:
    row.revoked_at = now
    row.revoke_reason = reason[:40]


def revoke_current_session(*, reason: str = "logout") -> None:
    """Revoke this request's session (logout) and forget the sid. The caller commits."""
    row = getattr(g, "user_session", None)
    if row is not None and row.revoked_at is None:
        _revoke(row, clock.now_utc(), reason)
    session.pop(SID_KEY, None)


def revoke_user_sessions(user: User, *, reason: str, keep_current: bool = False) -> int:
    """Revoke every live session of `user`; return how many were revoked.

    Call it on password change (`keep_current=True` keeps the session that made the change),
    deactivation and role change. `reason` (≤40 chars, e.g. "password_change") is stored and
    audited as `auth.sessions_revoked`. Flushes; the caller commits in the same transaction.
    """
    rows = db.session.scalars(
        sa.select(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    ).all()
    keep = getattr(g, "user_session", None) if keep_current and has_request_context() else None
    now = clock.now_utc()
    count = 0
    for row in rows:
        if keep is not None and row.id == keep.id:
            continue
        _revoke(row, now, reason)
        count += 1
    if count:
        actor = current_user._get_current_object() if has_request_context() and current_user.is_authenticated else None
        record_audit("auth.sessions_revoked", tenant_id=user.tenant_id, target=user, actor=actor,
                     changes={"reason": reason, "count": count})
    db.session.flush()
    return count


def revoke_organisation_sessions(organisation, *, reason: str = "organisation_deactivated") -> int:
    """Revoke the live sessions of every user of `organisation`; return the total revoked."""
    users = db.session.scalars(sa.select(User).where(User.organisation_id == organisation.id,
                                                     User.tenant_id == organisation.tenant_id)).all()
    return sum(revoke_user_sessions(user, reason=reason) for user in users)


def _reauth_window() -> dt.timedelta:
    return _minutes("REAUTH_MINUTES", 10)


def needs_reauth() -> bool:
    """True when the current session authenticated longer ago than `REAUTH_MINUTES` (default 10)."""
    row = current_session()
    return row is None or clock.now_utc() - row.authenticated_at >= _reauth_window()


def _referrer_path() -> str | None:
    """The local path of the Referer header (same host only), or None."""
    ref = request.referrer or ""
    parts = urlsplit(ref)
    if not ref or parts.netloc != request.host or not parts.path.startswith("/") or parts.path.startswith("//"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _reauth_url() -> str:
    next_url = request.full_path.rstrip("?") if request.method == "GET" else _referrer_path()
    endpoint = "auth.reauth" if getattr(g, "tenant", None) is not None else "admin_auth.admin_reauth"
    return url_for(endpoint, next=next_url) if next_url else url_for(endpoint)


def recent_auth_required(view):
    """View decorator for sensitive actions (role changes, selection confirm, bulk exports, user
    management): if the session authenticated more than `REAUTH_MINUTES` ago, redirect to the
    re-authentication page (password, plus TOTP code when the user has one), which returns to
    `next` — for GET the requested path, for POST the local referrer (a POST cannot be replayed).
    It guards authenticated sessions only: put it below the role check, which turns anonymous
    requests away (anonymous requests pass through, e.g. to public open-data exports)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if current_user.is_authenticated and needs_reauth():
            return redirect(_reauth_url())
        return view(*args, **kwargs)

    return wrapped


# --- the TOTP login's pending state (password checked, code due), kept on the server -------------

def start_pending_login(user: User, tenant_id: int | None, next_url: str) -> PendingLogin:
    """Record that `user` passed the password step of a login in `tenant_id` (None: platform) and
    put a fresh random id for it into a cleared Flask session. `next_url` (a local path the caller
    checked) is where the code step goes on success. The user's older pending logins are dropped.
    Flushes; the caller commits."""
    db.session.execute(sa.delete(PendingLogin).where(PendingLogin.user_id == user.id))
    session.clear()
    session[PENDING_KEY], digest = new_token()
    row = PendingLogin(tenant_id=tenant_id, user_id=user.id, token_hash=digest, created_at=clock.now_utc(),
                       next_url=next_url[:500])
    db.session.add(row)
    db.session.flush()
    return row


def pending_login(tenant_id: int | None) -> tuple[PendingLogin, User] | None:
    """The live pending login of this request's cookie in `tenant_id` and its user, or None: no or
    unknown id (forged, replayed after use), another tenant, older than `PENDING_SECONDS`, or the
    user is inactive or has no TOTP any more."""
    token = session.get(PENDING_KEY)
    if not isinstance(token, str) or not token:
        return None
    row = db.session.scalar(sa.select(PendingLogin).where(PendingLogin.token_hash == token_hash(token)))
    if row is None or row.tenant_id != tenant_id:
        return None
    if (clock.now_utc() - row.created_at).total_seconds() > PENDING_SECONDS:
        return None
    user = db.session.get(User, row.user_id)
    if user is None or not user.is_active or user.tenant_id != tenant_id or not user.totp_secret:
        return None
    return row, user


def end_pending_login() -> None:
    """Forget this request's pending login: delete its row (if any) and the cookie's id. Flushes."""
    token = session.pop(PENDING_KEY, None)
    if isinstance(token, str) and token:
        db.session.execute(sa.delete(PendingLogin).where(PendingLogin.token_hash == token_hash(token)))
        db.session.flush()
