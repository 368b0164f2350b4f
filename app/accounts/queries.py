"""Read-side queries of user management, filtered by tenant by hand (users are not auto-scoped)."""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import abort

from app.accounts.models import AccountToken, TokenPurpose
from app.accounts.tokens import latest_invitation
from app.auth.models import Role, User
from app.core.pagination import Page, paginate
from app.extensions import db
from app.tenancy.models import Organisation


def users_page(tenant, *, role: Role | None = None, organisation_id: int | None = None, active: bool | None = None,
               page: int = 1) -> Page:
    """The tenant's users (never platform admins or other tenants'), by organisation and name,
    optionally one role / organisation / active state, paginated."""
    stmt = sa.select(User).where(User.tenant_id == tenant.id)
    if role is not None:
        stmt = stmt.where(User.role == role)
    if organisation_id is not None:
        stmt = stmt.where(User.organisation_id == organisation_id)
    if active is not None:
        stmt = stmt.where(User.is_active_account.is_(active))
    return paginate(stmt.order_by(User.organisation_id, User.display_name, User.id), page)


def user_or_404(tenant, user_id: int) -> User:
    """The user `user_id` of `tenant`, or abort 404 (other tenants' users do not exist here)."""
    user = db.session.scalar(sa.select(User).where(User.id == user_id, User.tenant_id == tenant.id))
    if user is None:
        abort(404)
    return user


def pending_invitations(user_ids: Iterable[int]) -> set[int]:
    """Which of `user_ids` have a newest invitation not yet accepted (one query for a page)."""
    ids = list(user_ids)
    if not ids:
        return set()
    newest = (sa.select(sa.func.max(AccountToken.id))
              .where(AccountToken.user_id.in_(ids), AccountToken.purpose == TokenPurpose.INVITE)
              .group_by(AccountToken.user_id))
    stmt = sa.select(AccountToken.user_id).where(AccountToken.id.in_(newest), AccountToken.used_at.is_(None))
    return set(db.session.scalars(stmt))


def invitation_pending(user: User) -> bool:
    """True when `user` was invited and has not set a password yet."""
    token = latest_invitation(user)
    return token is not None and token.used_at is None


def organisations(tenant) -> list[Organisation]:
    """The tenant's active organisations, by kind and name (choices of forms and filters)."""
    stmt = (sa.select(Organisation).where(Organisation.tenant_id == tenant.id, Organisation.is_active.is_(True))
            .order_by(Organisation.kind, Organisation.kana, Organisation.name))
    return list(db.session.scalars(stmt))


def organisation_in(tenant, organisation_id: int | None) -> Organisation | None:
    """The active organisation `organisation_id` of `tenant`, or None."""
    if not organisation_id:
        return None
    return db.session.scalar(sa.select(Organisation).where(
        Organisation.id == organisation_id, Organisation.tenant_id == tenant.id, Organisation.is_active.is_(True)))
