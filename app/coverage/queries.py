"""Coverage queries. "Supported in FY" means a non-cancelled engagement in that fiscal year;
counts are distinct municipalities, never sums of yearly counts (digest §1.5).

Rules: the coverage goal "every municipality within K fiscal years" (令和４年度から３年間で県内全市町村を
支援, 001:165) and the priority "not supported even once in the past N years" (001:170). K and N come
from the call of the year concerned, else from the tenant's `[rules]`.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.calls.models import Call
from app.core.clock import today_jst
from app.core.wareki import fiscal_year_of
from app.engagements.models import Engagement
from app.engagements.states import COUNTED, EngagementState
from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind

DONE = (EngagementState.COMPLETED, EngagementState.CLOSED)


def support_years(tenant) -> dict[int, set[int]]:
    """`{municipality_id: {fiscal_year, …}}` of every municipality ever supported in `tenant`."""
    stmt = (
        sa.select(Engagement.municipality_id, Engagement.fiscal_year)
        .where(Engagement.tenant_id == tenant.id, Engagement.state.in_(COUNTED))
        .distinct()
    )
    years: dict[int, set[int]] = defaultdict(set)
    for municipality_id, fiscal_year in db.session.execute(stmt):
        years[municipality_id].add(fiscal_year)
    return dict(years)


def lookback_years(fiscal_year: int, lookback: int) -> range:
    """The `lookback` fiscal years before `fiscal_year`: (2024, 2) -> 2022, 2023."""
    return range(fiscal_year - lookback, fiscal_year)


def is_priority(years_supported: set[int], fiscal_year: int, lookback: int) -> bool:
    """Priority rule (001:170): not supported even once in the `lookback` years before `fiscal_year`."""
    return not any(y in years_supported for y in lookback_years(fiscal_year, lookback))


@dataclass(frozen=True)
class YearFigures:
    """One fiscal year: distinct municipalities supported, engagements planned (not cancelled, 事業)
    and actual (completed or closed), so that plan and actual stay apart (digest §9.4)."""

    fiscal_year: int
    municipalities: int
    engagements: int
    completed: int
    completed_municipalities: int


@dataclass(frozen=True)
class MatrixRow:
    """One municipality of the matrix: `cells` are engagement counts per `matrix_years` column."""

    municipality: Organisation
    cells: list[int]
    covered: bool


@dataclass(frozen=True)
class FocusGroup:
    """The tenant's named group of municipalities (`Tenant.focus_group_label`): members and how many
    of them were supported in the window."""

    label: str
    total: int
    covered: int

    @property
    def pair(self) -> tuple[int, int]:
        """`(total, covered)`, the shape of a `by_region` value."""
        return (self.total, self.covered)


@dataclass(frozen=True)
class CoverageSummary:
    """Everything the coverage dashboard and the open-data API show for one fiscal year.

    `window` is (from, to) inclusive; `by_year` / `engagements_by_year` cover the window only;
    `by_region` / `by_area` map names to (total, covered in window), in the order of first appearance
    in the master list unless the tenant rules `region_order` / `area_order` name one, and are empty
    when no municipality has a region / an area (the tenant has none: no block, column or API field);
    `focus_group` is the tenant's named group (`Tenant.focus_group_label`, Fukushima: 避難地域12市町村),
    None when it has none;
    `matrix` is `[(region, [MatrixRow])]`; `priority_next` answers the priority rule for
    `priority_fiscal_year` (= fiscal_year + 1) with `priority_lookback` years (001:170).
    """

    fiscal_year: int
    window: tuple[int, int]
    municipalities_total: int
    covered_in_window: int
    by_year: dict[int, int]
    engagements_by_year: dict[int, int]
    years: list[YearFigures]
    never_supported_in_window: list[Organisation]
    priority_fiscal_year: int
    priority_lookback: int
    priority_next: list[Organisation]
    by_region: dict[str, tuple[int, int]]
    by_area: dict[str, tuple[int, int]]
    focus_group: FocusGroup | None
    matrix_years: list[int]
    matrix: list[tuple[str, list[MatrixRow]]]
    available_years: list[int] = field(default_factory=list)

    @property
    def coverage_percent(self) -> float:
        """Distinct municipalities supported in the window ÷ all municipalities, in % (0 if none)."""
        return percent(self.covered_in_window, self.municipalities_total)


def percent(part: int, whole: int) -> float:
    """`part / whole` in %, rounded to one decimal; 0.0 when `whole` is 0."""
    return round(part * 100 / whole, 1) if whole else 0.0


def call_rules(tenant) -> dict[int, tuple[int, int]]:
    """`{fiscal_year: (coverage_window_years K, priority_lookback_years N)}` of every call (one query)."""
    stmt = sa.select(Call.fiscal_year, Call.coverage_window_years, Call.priority_lookback_years).where(
        Call.tenant_id == tenant.id
    )
    return {fy: (k, n) for fy, k, n in db.session.execute(stmt)}


def default_fiscal_year(tenant, rules: dict[int, tuple[int, int]] | None = None) -> int:
    """The newest fiscal year with a call, else the current fiscal year (JST, April start)."""
    rules = call_rules(tenant) if rules is None else rules
    return max(rules) if rules else fiscal_year_of(today_jst())


def coverage_window(tenant, fiscal_year: int, rules: dict[int, tuple[int, int]]) -> tuple[int, int]:
    """`(fy − K + 1, fy)`: K from the call of `fiscal_year`, else the tenant rule (001:165, default 3)."""
    k = rules[fiscal_year][0] if fiscal_year in rules else int(tenant.rule("coverage_window_years", 3))
    return (fiscal_year - max(k, 1) + 1, fiscal_year)


def priority_lookback(tenant, fiscal_year: int, rules: dict[int, tuple[int, int]]) -> int:
    """N of the priority rule for the call of `fiscal_year`, else the tenant rule (001:170, default 2)."""
    return rules[fiscal_year][1] if fiscal_year in rules else int(tenant.rule("priority_lookback_years", 2))


def active_municipalities(tenant) -> list[Organisation]:
    """Active municipalities of `tenant` in master-list order (Organisation.id)."""
    stmt = sa.select(Organisation).where(
        Organisation.tenant_id == tenant.id,
        Organisation.kind == OrganisationKind.MUNICIPALITY,
        Organisation.is_active.is_(True),
    )
    return list(db.session.scalars(stmt.order_by(Organisation.id)))


def _support_counts(tenant, up_to: int) -> dict[tuple[int, int], tuple[int, int]]:
    """`{(municipality_id, fy): (engagements not cancelled, completed or closed)}` for fy ≤ `up_to`."""
    done = sa.func.sum(sa.case((Engagement.state.in_(DONE), 1), else_=0))
    stmt = (
        sa.select(Engagement.municipality_id, Engagement.fiscal_year, sa.func.count(), done)
        .where(Engagement.tenant_id == tenant.id, Engagement.state.in_(COUNTED), Engagement.fiscal_year <= up_to)
        .group_by(Engagement.municipality_id, Engagement.fiscal_year)
    )
    return {(m, fy): (int(n), int(d or 0)) for m, fy, n, d in db.session.execute(stmt)}


def coverage_summary(tenant, fiscal_year: int | None = None) -> CoverageSummary:
    """The coverage of `tenant` seen from `fiscal_year` (default: `default_fiscal_year`).

    Three SQL queries whatever the number of municipalities or engagements: the calls' rules, the
    municipalities, and the engagements aggregated by municipality and fiscal year.
    """
    rules = call_rules(tenant)
    fy = default_fiscal_year(tenant, rules) if fiscal_year is None else fiscal_year
    window = coverage_window(tenant, fy, rules)
    municipalities = active_municipalities(tenant)
    ids = {m.id for m in municipalities}
    counts = {key: value for key, value in _support_counts(tenant, fy).items() if key[0] in ids}
    years_of: dict[int, set[int]] = defaultdict(set)
    for m_id, year in counts:
        years_of[m_id].add(year)
    in_window = {m_id for m_id, years in years_of.items() if any(window[0] <= y <= window[1] for y in years)}
    lookback = priority_lookback(tenant, fy + 1, rules)
    matrix_years = sorted({y for _, y in counts if y < window[0]} | set(range(window[0], window[1] + 1)))
    figures = _year_figures(counts, matrix_years)
    window_figures = [f for f in figures if f.fiscal_year >= window[0]]
    return CoverageSummary(
        fiscal_year=fy,
        window=window,
        municipalities_total=len(municipalities),
        covered_in_window=len(in_window),
        by_year={f.fiscal_year: f.municipalities for f in window_figures},
        engagements_by_year={f.fiscal_year: f.engagements for f in window_figures},
        years=figures,
        never_supported_in_window=[m for m in municipalities if m.id not in in_window],
        priority_fiscal_year=fy + 1,
        priority_lookback=lookback,
        priority_next=[m for m in municipalities if is_priority(years_of.get(m.id, set()), fy + 1, lookback)],
        by_region=named_breakdown(municipalities, in_window, "region", tenant),
        by_area=named_breakdown(municipalities, in_window, "area", tenant),
        focus_group=_focus_group(tenant, municipalities, in_window),
        matrix_years=matrix_years,
        matrix=list(ordered(_matrix(municipalities, counts, matrix_years, in_window), tenant.rule("region_order")).items()),
        available_years=sorted(set(rules) | {fy, fiscal_year_of(today_jst())}, reverse=True),
    )


def _year_figures(counts: dict[tuple[int, int], tuple[int, int]], years: list[int]) -> list[YearFigures]:
    figures = []
    for year in years:
        rows = [value for (_, y), value in counts.items() if y == year]
        figures.append(YearFigures(
            fiscal_year=year,
            municipalities=len(rows),
            engagements=sum(n for n, _ in rows),
            completed=sum(d for _, d in rows),
            completed_municipalities=sum(1 for _, d in rows if d),
        ))
    return figures


def breakdown(municipalities: list[Organisation], covered: set[int], key) -> dict[str, tuple[int, int]]:
    """`{name: (municipalities, covered)}` grouping `municipalities` by `key(m)` (region, area, …)."""
    # dicts keep insertion order: names come out in the order of the master list (県北, …).
    totals: dict[str, list[int]] = {}
    for m in municipalities:
        pair = totals.setdefault(key(m) or "", [0, 0])
        pair[0] += 1
        pair[1] += m.id in covered
    return {name: (total, hit) for name, (total, hit) in totals.items()}


def named_breakdown(municipalities: list[Organisation], covered: set[int], key: str, tenant) -> dict:
    """`breakdown` by `key` ("region" or "area") in the tenant's `<key>_order`; {} when no
    municipality has one."""
    # A tenant whose municipalities carry no region (area) has no such breakdown, not one 「（未設定）」 row.
    if not any(getattr(m, key) for m in municipalities):
        return {}
    return ordered(breakdown(municipalities, covered, lambda m: getattr(m, key)), tenant.rule(f"{key}_order"))


def _focus_group(tenant, municipalities: list[Organisation], covered: set[int]) -> FocusGroup | None:
    if tenant.focus_group_label is None:
        return None
    members = [m for m in municipalities if m.is_evacuation_area]
    return FocusGroup(tenant.focus_group_label, len(members), sum(1 for m in members if m.id in covered))


def _matrix(municipalities, counts, years: list[int], covered: set[int]) -> dict[str, list[MatrixRow]]:
    groups: dict[str, list[MatrixRow]] = {}
    for m in municipalities:
        cells = [counts.get((m.id, y), (0, 0))[0] for y in years]
        groups.setdefault(m.region or "", []).append(MatrixRow(m, cells, m.id in covered))
    return groups


def ordered(groups: dict, order: list[str] | None) -> dict:
    """`groups` sorted by the names in `order` (unknown names last), or unchanged when no order."""
    # The master list's order of first appearance, unless tenant.toml names one (`region_order`).
    if not order:
        return groups
    rank = {name: i for i, name in enumerate(order)}
    return dict(sorted(groups.items(), key=lambda item: rank.get(item[0], len(rank))))
