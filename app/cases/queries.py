"""Case read-side: the public collection with filters, the operator's management list, and the
counts behind home-page tasks. Every query filters by tenant by hand (the boundary)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.cases.models import Case
from app.cases.search import match_all
from app.cases.states import CaseState
from app.core.pagination import Page, paginate
from app.engagements.models import Engagement
from app.engagements.states import EngagementState
from app.extensions import db
from app.menus.models import MenuItem
from app.tenancy.models import Organisation


def case_of(engagement) -> Case | None:
    """The case drafted from `engagement`, or None."""
    return db.session.scalar(sa.select(Case).where(Case.engagement_id == engagement.id, Case.tenant_id == engagement.tenant_id))


def population_label(population: int | None) -> str:
    """Persons as 003 prints them: 101000 → 「10.1万人」 (003:149); empty for None."""
    return "" if population is None else f"{population / 10000:.1f}万人"



@dataclass
class LibraryFilters:
    """Filters of the public case library; None/"" = not filtered. `menu_item` is a menu item
    title (items are per fiscal year; the same title spans years), `q` free text (all terms)."""

    category: str | None = None
    dx_step: int | None = None
    region: str | None = None
    area: str | None = None
    fiscal_year: int | None = None
    menu_item: str | None = None
    q: str = ""


def _library_conditions(tenant, f: LibraryFilters) -> list:
    conditions = [Case.tenant_id == tenant.id, Case.state == CaseState.PUBLISHED]
    if f.category:
        # categories is a JSON list of ASCII codes; its text form holds each code in quotes on
        # SQLite and PostgreSQL alike, which avoids backend-specific JSON operators.
        conditions.append(sa.cast(Case.categories, sa.Text).like(f'%"{f.category}"%'))
    if f.dx_step is not None:
        conditions.append(Case.dx_step == f.dx_step)
    if f.fiscal_year is not None:
        conditions.append(Case.fiscal_year == f.fiscal_year)
    place = {"region": f.region, "area": f.area}
    if any(place.values()) or f.menu_item:
        engagements = sa.select(Engagement.id).join(Organisation, Organisation.id == Engagement.municipality_id).join(
            MenuItem, MenuItem.id == Engagement.menu_item_id).where(Engagement.tenant_id == tenant.id)
        for name, value in place.items():
            if value:
                engagements = engagements.where(getattr(Organisation, name) == value)
        if f.menu_item:
            engagements = engagements.where(MenuItem.title == f.menu_item)
        conditions.append(Case.engagement_id.in_(engagements))
    return conditions + match_all(Case.search_text, f.q)


def published_page(tenant, filters: LibraryFilters | None = None, page: int = 1) -> Page:
    """Published cases of `tenant`, newest fiscal year and publication first, filtered by
    `filters` (category code, DX step 0–3, region, area, fiscal year, menu item title, free-text
    search over the public text, see `app.cases.search`); paginated."""
    conditions = _library_conditions(tenant, filters or LibraryFilters())
    stmt = sa.select(Case).where(*conditions).order_by(Case.fiscal_year.desc(), Case.published_at.desc(), Case.id.desc())
    return paginate(stmt, page, count_stmt=sa.select(sa.func.count(Case.id)).where(*conditions))


def published_menu_items(tenant) -> list[str]:
    """Titles of the menu items with published cases, sorted (filter choices)."""
    return list(db.session.scalars(sa.select(MenuItem.title).distinct().join(
        Engagement, Engagement.menu_item_id == MenuItem.id).join(Case, Case.engagement_id == Engagement.id).where(
        Case.tenant_id == tenant.id, Case.state == CaseState.PUBLISHED).order_by(MenuItem.title)))


def booklet_cases(tenant, fiscal_year: int) -> list[Case]:
    """Published cases of `fiscal_year` in booklet order: DX step (none last), then municipality
    code, then id — the order of the contents page and the .xlsx rows."""
    stmt = (
        sa.select(Case).join(Engagement, Engagement.id == Case.engagement_id)
        .join(Organisation, Organisation.id == Engagement.municipality_id)
        .where(Case.tenant_id == tenant.id, Case.state == CaseState.PUBLISHED, Case.fiscal_year == fiscal_year)
        .order_by(sa.case((Case.dx_step.is_(None), 9), else_=Case.dx_step), Organisation.lg_code, Case.id)
    )
    return list(db.session.scalars(stmt).unique())


def published_fiscal_years(tenant) -> list[int]:
    """Fiscal years with published cases, newest first (filter choices)."""
    return list(db.session.scalars(sa.select(Case.fiscal_year).where(
        Case.tenant_id == tenant.id, Case.state == CaseState.PUBLISHED).distinct().order_by(Case.fiscal_year.desc())))


def managed_page(tenant, *, municipality_id: int | None = None, provider_id: int | None = None,
                 state: CaseState | None = None, page: int = 1) -> Page:
    """Cases of `tenant` in every state (optionally only those of one municipality or of one
    provider, or in one state), newest first."""
    conditions = [Case.tenant_id == tenant.id]
    if municipality_id is not None or provider_id is not None:
        column, value = (Engagement.municipality_id, municipality_id) if municipality_id is not None else (
            Engagement.provider_id, provider_id)
        conditions.append(Case.engagement_id.in_(sa.select(Engagement.id).where(Engagement.tenant_id == tenant.id, column == value)))
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


def count_cases(tenant, states: tuple[CaseState, ...], *, municipality_id: int | None = None,
                provider_id: int | None = None) -> int:
    """Cases of `tenant` in one of `states` (optionally only those of one municipality or provider)."""
    stmt = sa.select(sa.func.count(Case.id)).join(Engagement, Engagement.id == Case.engagement_id).where(
        Case.tenant_id == tenant.id, Case.state.in_(states))
    if municipality_id is not None:
        stmt = stmt.where(Engagement.municipality_id == municipality_id)
    if provider_id is not None:
        stmt = stmt.where(Engagement.provider_id == provider_id)
    return db.session.scalar(stmt) or 0
