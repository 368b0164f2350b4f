"""Account services: create users, authenticate. Services flush, never commit."""
from __future__ import annotations

from app.auth.models import Role, User
from app.auth.passwords import dummy_hash, hash_password, password_problems, verify_password
from app.auth.queries import find_user_for_login
from app.core.audit import record_audit
from app.core.db import utcnow
from app.extensions import db
from app.tenancy.models import Organisation


class AccountError(ValueError):
    """An account cannot be created or changed as asked (message is user-facing Japanese)."""


def create_user(
    *,
    tenant_id: int | None,
    email: str,
    display_name: str,
    role: Role,
    password: str = "",
    password_hash: str = "",
    organisation: Organisation | None = None,
    actor: User | None = None,
) -> User:
    """Create an account. Raises `AccountError` for a duplicate e-mail or a password that breaks
    the rules of `app.auth.passwords.password_problems` (the first problem is the message).

    Give `password`, or `password_hash` (an argon2 hash made by `hash_password`) when many
    accounts share one initial secret, as the demo accounts do, or when the account is invited
    (`app.accounts.services.invite_user` gives the hash of a random secret nobody knows).
    `organisation` must belong to `tenant_id`; platform admins (`tenant_id=None`) have none.
    """
    problems = [] if password_hash else password_problems(password, context=(email, display_name))
    if problems:
        raise AccountError(problems[0])
    if find_user_for_login(tenant_id, email) is not None:
        raise AccountError("このメールアドレスは既に登録されています。")
    if organisation is not None and organisation.tenant_id != tenant_id:
        raise AccountError("所属組織が事業と一致しません。")
    user = User(
        tenant_id=tenant_id,
        email=email.strip().lower(),
        display_name=display_name,
        role=role,
        password_hash=password_hash or hash_password(password),
        organisation=organisation,
    )
    db.session.add(user)
    db.session.flush()
    record_audit("user.create", tenant_id=tenant_id, actor=actor, target=user, changes={"role": str(role)})
    return user


def authenticate(tenant_id: int | None, email: str, password: str) -> User | None:
    """Return the active user whose credentials match, or None. Audits success and failure.

    The same work is done whether or not the account exists (generic failure, quality.md).
    """
    user = find_user_for_login(tenant_id, email)
    ok = verify_password(user.password_hash if user else dummy_hash(), password)
    # A user of a deactivated organisation (組織管理) cannot log in either: the same generic failure.
    inactive_org = user is not None and user.organisation is not None and not user.organisation.is_active
    if user is None or not ok or not user.is_active or inactive_org:
        record_audit("auth.login_failed", tenant_id=tenant_id, target=user, changes={"email": email[:254]})
        return None
    user.last_login_at = utcnow()
    record_audit("auth.login", tenant_id=tenant_id, actor=user, target=user)
    return user
