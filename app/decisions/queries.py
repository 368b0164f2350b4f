"""Read-side queries on decision notices (filtered by tenant and recipient by hand)."""
from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import Role
from app.decisions.models import DecisionNotice
from app.extensions import db


def _visible(user, tenant) -> sa.ColumnElement[bool]:
    clause = DecisionNotice.tenant_id == tenant.id
    if user.role in (Role.MUNICIPAL, Role.PROVIDER):
        return sa.and_(clause, DecisionNotice.recipient_id == user.organisation_id)
    return clause if user.role == Role.OPERATOR else sa.false()


def notices_for(user, tenant) -> list[DecisionNotice]:
    """Notices `user` may see, newest first: recipients their organisation's, operators all."""
    stmt = sa.select(DecisionNotice).where(_visible(user, tenant)).order_by(DecisionNotice.issued_at.desc(),
                                                                              DecisionNotice.id.desc())
    return list(db.session.scalars(stmt))


def count_unread(user, tenant) -> int:
    """Unread notices of the user's organisation (0 for operators and reviewers)."""
    if user.role not in (Role.MUNICIPAL, Role.PROVIDER):
        return 0
    return db.session.scalar(sa.select(sa.func.count(DecisionNotice.id)).where(
        _visible(user, tenant), DecisionNotice.read_at.is_(None))) or 0
