"""Read-side queries on calls (scoped by the active tenant and filtered by tenant by hand)."""
from __future__ import annotations

import sqlalchemy as sa

from app.calls.models import Call
from app.calls.states import CallPhase
from app.extensions import db


def calls_of(tenant) -> list[Call]:
    """All calls of `tenant`, newest fiscal year first."""
    return list(db.session.scalars(sa.select(Call).where(Call.tenant_id == tenant.id).order_by(Call.fiscal_year.desc())))


def call_for_year(tenant, fiscal_year: int) -> Call | None:
    """The call of `fiscal_year`, or None."""
    return db.session.scalar(sa.select(Call).where(Call.tenant_id == tenant.id, Call.fiscal_year == fiscal_year))


def current_call(tenant, phase: CallPhase | None = None) -> Call | None:
    """The newest call of `tenant` (optionally: the newest in `phase`), or None."""
    stmt = sa.select(Call).where(Call.tenant_id == tenant.id).order_by(Call.fiscal_year.desc()).limit(1)
    if phase is not None:
        stmt = stmt.where(Call.phase == phase)
    return db.session.scalar(stmt)
