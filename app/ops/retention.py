"""Data retention: remove the personal data of accounts that are no longer used (issue 7 §7).

Rule: a tenant user (never a platform admin) is anonymised when the account is deactivated
(`is_active_account` False) AND its last activity — `last_login_at`, else `created_at` — is older
than `RETENTION_INACTIVE_DAYS` (default 1095 days, three years). Active accounts are never touched,
however old: deactivation is the operator's decision that the person has left.

Anonymising keeps the `users` row (so audit events, state history, scores and reports still name
an actor id) and replaces what identifies the person: e-mail → `deleted-<id>@invalid.example`,
display name → 「削除済みユーザー」, an unusable password hash, no TOTP secret; the person's in-app notifications
(which hold their address and message texts), channel preference, server-side sessions, recovery
codes, pending TOTP logins and login throttle rows are deleted. Audit trail and state history are kept unchanged.
Each anonymised user gets an audit event `user.retention_anonymised` (no personal data in it).
Idempotent: an anonymised user no longer matches.
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.auth.models import LoginThrottle, PendingLogin, RecoveryCode, Role, User, UserSession
from app.auth.throttle import normalise_email
from app.core.audit import record_audit
from app.core.clock import now_utc
from app.extensions import db
from app.notifications.models import Notification, NotificationPreference
from app.tenancy.models import Tenant
from app.tenancy.scoping import tenant_scope

ANONYMISED_NAME = "削除済みユーザー"
ANONYMISED_DOMAIN = "@invalid.example"
# Rows holding nothing but one user's personal or session data, deleted with the person.
PERSONAL_MODELS = (Notification, NotificationPreference, UserSession, PendingLogin, RecoveryCode)


@dataclass
class RetentionResult:
    """What a run found (`user_ids`) and whether it changed anything (`dry_run`)."""

    cutoff: dt.datetime
    dry_run: bool
    user_ids: list[int] = field(default_factory=list)
    deleted_rows: dict[str, int] = field(default_factory=dict)


def anonymised_email(user_id: int) -> str:
    """The placeholder address of an anonymised user (unique per user, never deliverable)."""
    return f"deleted-{user_id}{ANONYMISED_DOMAIN}"


def inactive_users(tenant: Tenant, cutoff: dt.datetime) -> list[User]:
    """Deactivated, not yet anonymised users of `tenant` whose last activity is before `cutoff`."""
    last_activity = sa.func.coalesce(User.last_login_at, User.created_at)
    stmt = sa.select(User).where(
        User.tenant_id == tenant.id, User.role != Role.PLATFORM_ADMIN, User.is_active_account.is_(False),
        last_activity < cutoff, ~User.email.like(f"deleted-%{ANONYMISED_DOMAIN}"),
    ).order_by(User.id)
    return list(db.session.scalars(stmt))


def anonymise_user(user: User, *, days: int) -> dict[str, int]:
    """Replace `user`'s personal data and delete their personal rows (see the module docstring).

    Returns `{table: rows deleted}`. Writes the `user.retention_anonymised` audit event; flushes,
    the caller commits."""
    old_email = user.email
    deleted = _delete_personal_rows(user)
    deleted["login_throttles"] = _delete_throttles(user, old_email)
    user.email = anonymised_email(user.id)
    user.display_name = ANONYMISED_NAME
    user.password_hash = "!retention-" + secrets.token_hex(16)  # no argon2 hash: never verifies
    user.is_active_account = False
    user.totp_secret = user.totp_last_step = None  # two-factor enrolment goes with the person
    record_audit("user.retention_anonymised", tenant_id=user.tenant_id, actor=None, target=user,
                 changes={"inactive_days": days, "deleted_rows": deleted})
    db.session.flush()
    return deleted


def run_retention(days: int, *, dry_run: bool = False) -> RetentionResult:
    """Find (and unless `dry_run`, anonymise) every matching user of every tenant.

    `days` is the inactivity period (> 0). Raises ValueError for a non-positive period. The caller
    commits (nothing to commit on a dry run)."""
    if days <= 0:
        raise ValueError("the retention period must be at least one day")
    result = RetentionResult(cutoff=now_utc() - dt.timedelta(days=days), dry_run=dry_run)
    for tenant in db.session.scalars(sa.select(Tenant).order_by(Tenant.id)).all():
        with tenant_scope(tenant.id):
            for user in inactive_users(tenant, result.cutoff):
                result.user_ids.append(user.id)
                if not dry_run:
                    for table, count in anonymise_user(user, days=days).items():
                        result.deleted_rows[table] = result.deleted_rows.get(table, 0) + count
    return result


def _delete_personal_rows(user: User) -> dict[str, int]:
    deleted = {}
    for model in PERSONAL_MODELS:
        stmt = sa.delete(model).where(model.user_id == user.id)
        if hasattr(model, "tenant_id"):  # bulk deletes bypass the tenant safety net: filter by hand
            stmt = stmt.where(model.tenant_id == user.tenant_id)
        deleted[model.__tablename__] = db.session.execute(stmt).rowcount
    return deleted


def _delete_throttles(user: User, email: str) -> int:
    stmt = sa.delete(LoginThrottle).where(LoginThrottle.tenant_key == user.tenant_id,
                                          LoginThrottle.email == normalise_email(email))
    return db.session.execute(stmt).rowcount
