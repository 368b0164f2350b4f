"""Account services: invite, deactivate, reactivate, change role; set a password from an
invitation or reset link; request a reset; change one's own password.

Services flush, never commit, never read `flask.request`. Every change writes its audit event in
the caller's transaction; e-mails go through the outbox (`queue_notification`), sent after commit.
Errors are `AccountError` with a Japanese message (`PasswordRejected` lists every broken rule).
"""
from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa

from app.accounts.models import AccountToken, TokenPurpose
from app.accounts.tokens import consume_all, expire_tokens, issue_token, recent_count
from app.auth.models import Role, User
from app.auth.passwords import hash_password, password_problems, verify_password
from app.auth.queries import find_user_for_login
from app.auth.services import AccountError, create_user
from app.auth.sessions import revoke_user_sessions
from app.core.audit import record_audit
from app.core.clock import now_utc
from app.extensions import db
from app.notifications.services import app_url, queue_notification
from app.tenancy.models import APPLICANT_KINDS, Organisation, OrganisationKind

# Which organisations staff of each role belong to (issue 7 §2): municipal staff to an applicant
# body (a municipality, or a board of education / chamber of commerce where the program accepts
# them), provider staff to a provider, operators to the program office; reviewers are office staff
# or external experts from a provider.
ORG_KINDS_BY_ROLE: dict[Role, tuple[OrganisationKind, ...]] = {
    Role.MUNICIPAL: APPLICANT_KINDS,
    Role.PROVIDER: (OrganisationKind.PROVIDER,),
    Role.OPERATOR: (OrganisationKind.OFFICE,),
    Role.REVIEWER: (OrganisationKind.OFFICE, OrganisationKind.PROVIDER),
}
INVITABLE_ROLES = tuple(ORG_KINDS_BY_ROLE)
RESET_MAX_PER_HOUR = 3


class WrongCurrentPassword(AccountError):
    """The current password given to change one's password is wrong (the failure is audited)."""


class PasswordRejected(AccountError):
    """The new password breaks rules of `password_problems`; `problems` lists the messages."""

    def __init__(self, problems: list[str]):
        super().__init__(problems[0])
        self.problems = problems


def check_pairing(role: Role, organisation: Organisation | None) -> None:
    """Raise `AccountError` unless `organisation` is of a kind `ORG_KINDS_BY_ROLE[role]` allows."""
    kinds = ORG_KINDS_BY_ROLE.get(role)
    if kinds is None:
        raise AccountError("この役割の利用者は招待できません。")
    if organisation is None or organisation.kind not in kinds:
        labels = "・".join(k.label for k in kinds)
        raise AccountError(f"{role.label}の所属組織は{labels}から選んでください。")


def check_password(password: str, user: User) -> None:
    """Raise `PasswordRejected` when `password` breaks a rule for `user` (e-mail, name as context)."""
    problems = password_problems(password, context=(user.email, user.display_name))
    if problems:
        raise PasswordRejected(problems)


def _send_invitation(tenant, user: User, *, now: dt.datetime) -> None:
    token = issue_token(user, TokenPurpose.INVITE, now=now)
    link = app_url("account_access.accept_invitation", tenant_slug=tenant.slug, token=token)
    queue_notification(tenant, user, "accounts.invite", {"name": user.display_name, "role": user.role_label,
                                                         "expires_in": "72時間"}, link=link)


def invite_user(tenant, *, email: str, display_name: str, role: Role, organisation: Organisation | None,
                actor: User) -> User:
    """Create an invited account and queue its invitation e-mail (link valid 72 hours, once).

    The account has the hash of a random secret nobody knows, so it cannot log in until the
    invitation is accepted. Raises `AccountError` for a role that cannot be invited, a wrong
    role/organisation pairing (`ORG_KINDS_BY_ROLE`), an organisation of another tenant or an
    e-mail already registered in the tenant. Audits `user.invite`.
    """
    if role not in INVITABLE_ROLES:
        raise AccountError("この役割の利用者は招待できません。")
    check_pairing(role, organisation)
    user = create_user(tenant_id=tenant.id, email=email, display_name=display_name, role=role, organisation=organisation,
                       password_hash=hash_password(secrets.token_urlsafe(32)), actor=actor)
    _send_invitation(tenant, user, now=now_utc())
    record_audit("user.invite", tenant_id=tenant.id, actor=actor, target=user,
                 changes={"email": user.email, "role": str(role), "organisation_id": organisation.id})
    return user


def resend_invitation(tenant, user: User, *, actor: User) -> None:
    """Queue a new invitation link for a user who has not accepted yet (older links stop working).

    Raises `AccountError` when the account is deactivated or the invitation was already accepted."""
    from app.accounts.queries import invitation_pending

    if not user.is_active_account:
        raise AccountError("無効化されている利用者には招待を送れません。")
    if not invitation_pending(user):
        raise AccountError("この利用者は招待を受け付け済みです。")
    _send_invitation(tenant, user, now=now_utc())
    record_audit("user.invite_resend", tenant_id=tenant.id, actor=actor, target=user)


def _active_operator_ids(tenant) -> list[int]:
    """Ids of the tenant's active operators, locked (FOR UPDATE on PostgreSQL) so that two
    operators cannot remove each other at the same time."""
    stmt = (sa.select(User.id).where(User.tenant_id == tenant.id, User.role == Role.OPERATOR,
                                     User.is_active_account.is_(True)).with_for_update())
    return list(db.session.scalars(stmt))


def _check_not_last_operator(tenant, user: User) -> None:
    if user.role == Role.OPERATOR and user.is_active_account and _active_operator_ids(tenant) == [user.id]:
        raise AccountError("有効な事業担当者が一人もいなくなるため、この操作はできません。")


def _check_not_self(user: User, actor: User, message: str) -> None:
    if user.id == actor.id:
        raise AccountError(message)


def deactivate_user(tenant, user: User, *, actor: User) -> None:
    """Deactivate `user`: login refused, every session revoked at the server, open links voided.

    Raises `AccountError` for oneself, for the last active operator, or when already inactive.
    Audits `user.deactivate`."""
    _check_not_self(user, actor, "自分自身を無効化することはできません。")
    if not user.is_active_account:
        raise AccountError("この利用者は既に無効化されています。")
    _check_not_last_operator(tenant, user)
    user.is_active_account = False
    now = now_utc()
    for purpose in TokenPurpose:
        expire_tokens(user, purpose, now=now)
    revoke_user_sessions(user, reason="deactivated")
    record_audit("user.deactivate", tenant_id=tenant.id, actor=actor, target=user, changes={"is_active": [True, False]})
    db.session.flush()


def reactivate_user(tenant, user: User, *, actor: User) -> None:
    """Allow `user` to log in again (their password is unchanged). Raises `AccountError` when
    already active. Audits `user.reactivate`."""
    if user.is_active_account:
        raise AccountError("この利用者は既に有効です。")
    user.is_active_account = True
    record_audit("user.reactivate", tenant_id=tenant.id, actor=actor, target=user, changes={"is_active": [False, True]})
    db.session.flush()


def change_role(tenant, user: User, role: Role, organisation: Organisation | None, *, actor: User) -> None:
    """Give `user` a new role and organisation (paired as `ORG_KINDS_BY_ROLE` says) and end their
    sessions, so the new rights apply from their next login.

    Raises `AccountError` for oneself, an unchanged role and organisation, a wrong pairing, or when
    it would leave no active operator. Audits `user.role_change` with old and new values."""
    _check_not_self(user, actor, "自分自身の役割は変更できません。")
    check_pairing(role, organisation)
    if role == user.role and organisation.id == user.organisation_id:
        raise AccountError("役割と所属組織が変わっていません。")
    if role != Role.OPERATOR:
        _check_not_last_operator(tenant, user)
    changes = {"role": [str(user.role), str(role)], "organisation_id": [user.organisation_id, organisation.id]}
    user.role, user.organisation = role, organisation
    revoke_user_sessions(user, reason="role_change")
    record_audit("user.role_change", tenant_id=tenant.id, actor=actor, target=user, changes=changes)
    db.session.flush()


def _claim(token: AccountToken, now: dt.datetime) -> bool:
    """Mark the token used with a conditional UPDATE: False if another request used it first."""
    stmt = (sa.update(AccountToken).where(AccountToken.id == token.id, AccountToken.used_at.is_(None))
            .values(used_at=now))
    return (db.session.execute(stmt).rowcount or 0) == 1


def set_password_from_token(tenant, token: AccountToken, password: str) -> bool:
    """Set the password of the token's user (invitation acceptance or reset), once.

    Checks the rules first (`PasswordRejected`, nothing written). Returns False when the token
    was used meanwhile by a concurrent request (the caller answers 410 and rolls back). Every
    other open link of the user is used up, and every session of the user is revoked (a reset
    ends sessions that whoever knew the old password may hold). Audits
    `user.invitation_accept` or `user.password_reset`.
    """
    user = token.user
    check_password(password, user)
    now = now_utc()
    if not _claim(token, now):
        return False
    user.password_hash = hash_password(password)
    consume_all(user, now=now)
    revoke_user_sessions(user, reason="password_reset")
    action = "user.invitation_accept" if token.purpose == TokenPurpose.INVITE else "user.password_reset"
    record_audit(action, tenant_id=tenant.id, actor=user, target=user)
    db.session.flush()
    return True


def request_password_reset(tenant, email: str) -> User | None:
    """Queue a reset link (valid 1 hour, once) to the active account with `email` in `tenant`.

    Does nothing visible for unknown or deactivated addresses, and issues no more than
    `RESET_MAX_PER_HOUR` links per account per hour: the caller answers the same in every case
    (no account enumeration, ASVS 6.3.8). Audits `user.password_reset_request` (with the outcome).
    Returns the user a link was queued for, or None.
    """
    user = find_user_for_login(tenant.id, email)
    now = now_utc()
    if user is None or not user.is_active_account:
        record_audit("user.password_reset_request", tenant_id=tenant.id, target=user,
                     changes={"email": email[:254], "outcome": "unknown_or_inactive"})
        return None
    if recent_count(user, TokenPurpose.RESET, now - dt.timedelta(hours=1)) >= RESET_MAX_PER_HOUR:
        record_audit("user.password_reset_request", tenant_id=tenant.id, target=user, changes={"outcome": "throttled"})
        return None
    token = issue_token(user, TokenPurpose.RESET, now=now)
    link = app_url("account_access.reset_password", tenant_slug=tenant.slug, token=token)
    queue_notification(tenant, user, "accounts.reset", {"name": user.display_name, "expires_in": "1時間"}, link=link)
    record_audit("user.password_reset_request", tenant_id=tenant.id, target=user, changes={"outcome": "sent"})
    return user


def change_password(user: User, current: str, new: str) -> None:
    """Change `user`'s own password: `current` must verify; `new` must follow the rules.

    Raises `WrongCurrentPassword` (after adding the audit event `user.password_change_failed`,
    which the caller commits) or `PasswordRejected` for a weak new one.
    Revokes the user's other sessions (this one stays) and voids open links. Audits
    `user.password_change`."""
    if not verify_password(user.password_hash, current):
        record_audit("user.password_change_failed", tenant_id=user.tenant_id, actor=user, target=user)
        raise WrongCurrentPassword("現在のパスワードが正しくありません。")
    check_password(new, user)
    user.password_hash = hash_password(new)
    consume_all(user, now=now_utc())
    revoke_user_sessions(user, reason="password_change", keep_current=True)
    record_audit("user.password_change", tenant_id=user.tenant_id, actor=user, target=user)
    db.session.flush()
