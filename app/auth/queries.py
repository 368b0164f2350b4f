"""Read-side queries on users, always filtered by tenant by hand (users are not auto-scoped)."""
from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db


def find_user_for_login(tenant_id: int | None, email: str) -> User | None:
    """The account with `email` in `tenant_id` (None: platform admins), case-insensitively."""
    stmt = sa.select(User).where(sa.func.lower(User.email) == email.strip().lower())
    stmt = stmt.where(User.tenant_id.is_(None) if tenant_id is None else User.tenant_id == tenant_id)
    return db.session.scalar(stmt)
