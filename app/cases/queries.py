"""Case read-side: the public collection with filters, the operator's management list, and the
counts behind home-page tasks. Every query filters by tenant by hand (the boundary)."""
from __future__ import annotations

import sqlalchemy as sa

from app.cases.models import Case
from app.cases.states import CaseState
from app.core.pagination import Page, paginate
from app.engagements.models import Engagement
from app.engagements.states import EngagementState
from app.extensions import db
from app.tenancy.models import Organisation


def case_of(engagement) -> Case | None:
    """The case drafted from `engagement`, or None."""
    return db.session.scalar(sa.select(Case).where(Case.engagement_id == engagement.id, Case.tenant_id == engagement.tenant_id))


def population_label(population: int | None) -> str:
    """Persons as 003 prints them: 101000 → 「10.1万人」 (003:149); empty for None."""
    return "" if population is None else f"{population / 10000:.1f}万人"



def published_page(tenant, *, category: str | None = None, dx_step: int | None = None,
                   fiscal_year: int | None = None, page: int = 1) -> Page:
    """Published cases of `tenant`, newest fiscal year and publication first, optionally filtered
    by DX category code, DX step (0–3) and fiscal year; paginated."""
    conditions = [Case.tenant_id == tenant.id, Case.state == CaseState.PUBLISHED]
    if category:
        # categories is a JSON list of ASCII codes; its text form holds each code in quotes on
        # SQLite and PostgreSQL alike, which avoids backend-specific JSON operators.
        conditions.append(sa.cast(Case.categories, sa.Text).like(f'%"{category}"%'))
    if dx_step is not None:
        conditions.append(Case.dx_step == dx_step)
    if fiscal_year is not None:
        conditions.append(Case.fiscal_year == fiscal_year)
    stmt = sa.select(Case).where(*conditions).order_by(Case.fiscal_year.desc(), Case.published_at.desc(), Case.id.desc())
    return paginate(stmt, page, count_stmt=sa.select(sa.func.count(Case.id)).where(*conditions))


def published_fiscal_years(tenant) -> list[int]:
    """Fiscal years with published cases, newest first (filter choices)."""
    return list(db.session.scalars(sa.select(Case.fiscal_year).where(
        Case.tenant_id == tenant.id, Case.state == CaseState.PUBLISHED).distinct().order_by(Case.fiscal_year.desc())))


def managed_page(tenant, *, municipality_id: int | None = None, state: CaseState | None = None, page: int = 1) -> Page:
    """Cases of `tenant` in every state (optionally of one municipality, or in one state), newest first."""
    conditions = [Case.tenant_id == tenant.id]
    if municipality_id is not None:
        conditions.append(Case.engagement_id.in_(sa.select(Engagement.id).where(
            Engagement.tenant_id == tenant.id, Engagement.municipality_id == municipality_id)))
    if state is not None:
        conditions.append(Case.state == state)
    stmt = sa.select(Case).where(*conditions).order_by(Case.fiscal_year.desc(), Case.updated_at.desc(), Case.id.desc())
    return paginate(stmt, page, count_stmt=sa.select(sa.func.count(Case.id)).where(*conditions))


def engagements_without_case(tenant, page: int = 1) -> Page:
    """COMPLETED or CLOSED engagements of `tenant` with no case yet, newest year first, paged."""
    has_case = sa.select(Case.id).where(Case.engagement_id == Engagement.id).exists()
    conditions = [Engagement.tenant_id == tenant.id,
                  Engagement.state.in_((EngagementState.COMPLETED, EngagementState.CLOSED)), ~has_case]
    stmt = (
        sa.select(Engagement)
        .join(Organisation, Organisation.id == Engagement.municipality_id)
        .where(*conditions)
        .order_by(Engagement.fiscal_year.desc(), Organisation.lg_code, Engagement.id)
    )
    return paginate(stmt, page, count_stmt=sa.select(sa.func.count(Engagement.id)).where(*conditions))


def count_cases(tenant, state: CaseState, municipality_id: int | None = None) -> int:
    """Cases of `tenant` in `state` (optionally only those of one municipality)."""
    stmt = sa.select(sa.func.count(Case.id)).join(Engagement, Engagement.id == Case.engagement_id).where(
        Case.tenant_id == tenant.id, Case.state == state)
    if municipality_id is not None:
        stmt = stmt.where(Engagement.municipality_id == municipality_id)
    return db.session.scalar(stmt) or 0
