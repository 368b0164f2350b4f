"""Open-data queries: JSON-ready dicts of public data only (product.md §6 "Open data API").

Nothing here returns personal data: municipalities are public master data, the menu is the
published one, cases are the published ones, coverage counts municipalities. Each function issues
a fixed number of SQL queries whatever the amount of data.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.calls.models import Call
from app.cases.models import Case
from app.cases.publication import public_cases
from app.cases.states import CaseState
from app.coverage.queries import coverage_summary
from app.extensions import db
from app.menus.models import MenuItem
from app.tenancy.models import Organisation, OrganisationKind


def municipalities_data(tenant) -> list[dict]:
    """Active municipalities ordered by 全国地方公共団体コード:
    `[{"lg_code", "name", "kana", "kind" (市/町/村), "region", "area"}]`."""
    stmt = (
        sa.select(Organisation)
        .where(
            Organisation.tenant_id == tenant.id,
            Organisation.kind == OrganisationKind.MUNICIPALITY,
            Organisation.is_active.is_(True),
        )
        .order_by(Organisation.lg_code)
    )
    return [
        {"lg_code": m.lg_code, "name": m.name, "kana": m.kana, "kind": m.municipality_kind, "region": m.region, "area": m.area}
        for m in db.session.scalars(stmt)
    ]


def published_call(tenant, fiscal_year: int | None = None) -> Call | None:
    """The call whose menu is published (`menu_published_at` set) for `fiscal_year`, or the newest
    such call when `fiscal_year` is None; None when there is none."""
    stmt = sa.select(Call).where(Call.tenant_id == tenant.id, Call.menu_published_at.is_not(None))
    if fiscal_year is not None:
        stmt = stmt.where(Call.fiscal_year == fiscal_year)
    return db.session.scalar(stmt.order_by(Call.fiscal_year.desc()).limit(1))


def menu_data(tenant, call: Call) -> dict:
    """The numbered menu of a published `call`: `{"fiscal_year", "items": [{"number", "title",
    "categories": [code], "provider": name, "format": "onsite"|"online"|"hybrid"}]}` by number."""
    stmt = (
        sa.select(MenuItem)
        .where(MenuItem.tenant_id == tenant.id, MenuItem.call_id == call.id, MenuItem.number.is_not(None))
        .order_by(MenuItem.number)
    )
    items = [
        {
            "number": item.number,
            "title": item.title,
            "categories": list(item.categories or []),
            "provider": item.provider.name,
            "format": item.format.value,
        }
        for item in db.session.scalars(stmt)
    ]
    return {"fiscal_year": call.fiscal_year, "items": items}


def coverage_data(tenant, fiscal_year: int | None = None) -> dict:
    """Coverage seen from `fiscal_year` (default: the newest year with a call), see
    `app.coverage.queries.coverage_summary` (rules 001:165 and 001:170).

    `{"fiscal_year", "window": [from, to], "municipalities_total", "covered_in_window",
    "by_year": {"2022": n, …} (distinct municipalities per fiscal year of the window),
    "never_supported": [lg_code, …], "by_region" / "by_area": {name: {"total": n, "covered": m}}
    (only for a tenant whose municipalities have regions / areas), "focus_group": {"label", "total",
    "covered"} (only for a tenant that names a group, `Tenant.focus_group_label`; Fukushima: the 12
    municipalities of the evacuation areas, 避難地域12市町村), "priority_fiscal_year": fy + 1,
    "priority_next": [lg_code, …]}`. `never_supported` lists the municipalities not supported within the window
    (they may have been supported before it); `priority_next` those not supported in the N years
    before the next fiscal year (priority rule, 001:170). Code lists are ordered by lg_code.
    """
    s = coverage_summary(tenant, fiscal_year)
    return {
        "fiscal_year": s.fiscal_year,
        "window": list(s.window),
        "municipalities_total": s.municipalities_total,
        "covered_in_window": s.covered_in_window,
        "by_year": {str(year): n for year, n in sorted(s.by_year.items())},
        "never_supported": sorted(m.lg_code for m in s.never_supported_in_window),
        **({"by_region": {name: _pair(pair) for name, pair in s.by_region.items()}} if s.by_region else {}),
        **({"by_area": {name: _pair(pair) for name, pair in s.by_area.items()}} if s.by_area else {}),
        **({"focus_group": {"label": s.focus_group.label, **_pair(s.focus_group.pair)}} if s.focus_group else {}),
        "priority_fiscal_year": s.priority_fiscal_year,
        "priority_next": sorted(m.lg_code for m in s.priority_next),
    }


def _pair(pair: tuple[int, int]) -> dict[str, int]:
    total, covered = pair
    return {"total": total, "covered": covered}


def published_cases_data(tenant) -> list[dict]:
    """Published cases (事例集), newest first, in two queries (cases with engagement, menu item,
    provider and municipality joined eagerly; survey answers). Fields a party held back are null
    (`app.cases.publication`). Population is in persons; `published_at` is ISO 8601 UTC;
    `survey_solved` is the survey's 課題解決につながったか (true/false/null)."""
    stmt = (
        sa.select(Case)
        .where(Case.tenant_id == tenant.id, Case.state == CaseState.PUBLISHED, Case.published_at.is_not(None))
        .order_by(Case.published_at.desc(), Case.id.desc())
    )
    cases = list(db.session.scalars(stmt).unique())
    return [_case_dict(case, pub) for case, pub in zip(cases, public_cases(tenant, cases), strict=True)]


def _case_dict(case: Case, pub) -> dict:
    municipality = case.engagement.municipality
    return {
        "id": pub.id,
        "title": pub.title,
        "organisations": pub.organisations,
        "fiscal_year": pub.fiscal_year,
        "municipality": {"lg_code": municipality.lg_code, "name": municipality.name},
        "menu_item": pub.menu_item,
        "provider": pub.provider,
        "categories": pub.categories,
        "dx_step": pub.dx_step,
        "key_points": pub.key_points,
        "overview": pub.overview,
        "outcomes": pub.outcomes,
        "population": pub.population,
        "population_basis": pub.population_basis or None,
        "related_url": pub.related_url,
        "similar_organisations": pub.similar_organisations,
        "survey_solved": pub.survey_solved,
        "published_at": case.published_at.isoformat(),
    }
