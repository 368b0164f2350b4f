"""What-if coverage (issue 3 item 3): how a proposed selection would change coverage in the window.

Before confirming, the operator compares coverage in the coverage window of the call's fiscal year
(distinct municipalities supported ÷ all, never-supported left, by region and by area) as it stands
and as it would stand if every selected allocation became an engagement. Same counting rules as
`queries.coverage_summary` (coverage goal, 001:165; distinct municipalities, never sums).
"""
from __future__ import annotations

from dataclasses import dataclass

from app.coverage.queries import (
    active_municipalities, call_rules, coverage_window, named_breakdown, percent, support_years,
)
from app.tenancy.models import Organisation


@dataclass(frozen=True)
class CoverageState:
    """Coverage in one window: `covered` of `total` municipalities; `by_region` / `by_area` map a
    name to (total, covered); `never_supported` are the municipalities not covered in the window."""

    covered: int
    total: int
    never_supported: list[Organisation]
    by_region: dict[str, tuple[int, int]]
    by_area: dict[str, tuple[int, int]]

    @property
    def percent(self) -> float:
        """`covered / total` in % (one decimal)."""
        return percent(self.covered, self.total)


@dataclass(frozen=True)
class WhatIf:
    """Coverage of `window` (fiscal years, inclusive) now and with the proposal; `newly_covered`
    lists the municipalities the proposal would add to the window's coverage."""

    window: tuple[int, int]
    before: CoverageState
    after: CoverageState
    newly_covered: list[Organisation]

    @property
    def rows(self) -> list[tuple[str, tuple[int, int], tuple[int, int]]]:
        """`[(label, (total, covered before), (total, covered after))]`: regions then areas."""
        regions = [(name, pair, self.after.by_region[name]) for name, pair in self.before.by_region.items()]
        areas = [(name, pair, self.after.by_area[name]) for name, pair in self.before.by_area.items()]
        return regions + areas


def coverage_what_if(tenant, fiscal_year: int, proposed_municipality_ids: set[int]) -> WhatIf:
    """Coverage of the window ending in `fiscal_year`, without and with the proposed engagements.

    `proposed_municipality_ids` are the municipalities (Organisation ids) the proposal selects in
    `fiscal_year`. Two queries whatever the size (municipalities; engagements by municipality and
    year). Raises nothing; unknown ids (e.g. inactive bodies) are ignored.
    """
    window = coverage_window(tenant, fiscal_year, call_rules(tenant))
    municipalities = active_municipalities(tenant)
    years = support_years(tenant)
    before = {m.id for m in municipalities if any(window[0] <= y <= window[1] for y in years.get(m.id, ()))}
    after = before | ({m.id for m in municipalities} & set(proposed_municipality_ids))
    return WhatIf(
        window=window,
        before=_state(tenant, municipalities, before),
        after=_state(tenant, municipalities, after),
        newly_covered=[m for m in municipalities if m.id in after and m.id not in before],
    )


def _state(tenant, municipalities: list[Organisation], covered: set[int]) -> CoverageState:
    return CoverageState(
        covered=len(covered),
        total=len(municipalities),
        never_supported=[m for m in municipalities if m.id not in covered],
        by_region=named_breakdown(municipalities, covered, "region", tenant),
        by_area=named_breakdown(municipalities, covered, "area", tenant),
    )
