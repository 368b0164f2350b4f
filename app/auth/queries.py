"""Read-side queries on users, always filtered by tenant by hand (users are not auto-scoped)."""
from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import Role, User
from app.extensions import db


def find_user_for_login(tenant_id: int | None, email: str) -> User | None:
    """The account with `email` in `tenant_id` (None: platform admins), case-insensitively."""
    stmt = sa.select(User).where(sa.func.lower(User.email) == email.strip().lower())
    stmt = stmt.where(User.tenant_id.is_(None) if tenant_id is None else User.tenant_id == tenant_id)
    return db.session.scalar(stmt)


def users_of_tenant(tenant_id: int, role: Role | None = None) -> list[User]:
    """Users of one tenant, optionally of one role, ordered by e-mail."""
    stmt = sa.select(User).where(User.tenant_id == tenant_id).order_by(User.email)
    if role is not None:
        stmt = stmt.where(User.role == role)
    return list(db.session.scalars(stmt))


def users_of_organisation(tenant_id: int, organisation_id: int) -> list[User]:
    """Active users belonging to one organisation of the tenant (notification recipients)."""
    stmt = sa.select(User).where(
        User.tenant_id == tenant_id, User.organisation_id == organisation_id, User.is_active_account.is_(True)
    )
    return list(db.session.scalars(stmt))
