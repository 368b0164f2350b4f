"""Budget views (issue 5 §5): allocated vs budget per call (fiscal year), and within one year per
menu item and per provider. "Allocated" is the sum of `Engagement.cost_thousand_yen` (the item's
unit cost at assignment) of counted engagements — cancelled and declined ones free their money, as
they free capacity (`app.engagements.states.COUNTED`). All money in 千円.
"""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.calls.models import Call
from app.core.wareki import fiscal_year_label
from app.coverage.charts import BarChart, bar_chart
from app.coverage.queries import percent
from app.engagements.models import Engagement
from app.engagements.states import COUNTED
from app.extensions import db
from app.menus.models import MenuItem
from app.tenancy.labels import provider_label
from app.tenancy.models import Organisation


@dataclass(frozen=True)
class BudgetLine:
    """One line: `label`, counted `engagements`, `allocated` 千円 and the call's `budget` 千円 (None
    when not set; the denominator of `share`). `is_total` marks a whole call (`remaining` applies);
    `capacity` is set for menu items only (municipalities the item can support)."""

    label: str
    engagements: int
    allocated: int
    budget: int | None
    is_total: bool = False
    capacity: int | None = None

    @property
    def remaining(self) -> int | None:
        """Budget − allocated of a whole call (千円; negative when overspent), else None."""
        return self.budget - self.allocated if self.is_total and self.budget is not None else None

    @property
    def share(self) -> float | None:
        """Allocated ÷ budget in % (one decimal), None without a budget."""
        return None if self.budget is None else percent(self.allocated, self.budget)

    @property
    def slots_left(self) -> int | None:
        """Capacity − engagements of a menu item (None for other lines)."""
        return None if self.capacity is None else self.capacity - self.engagements


@dataclass(frozen=True)
class YearBudget:
    """One call's budget: the `total` line and its lines per menu item (by number) and per provider (by name)."""

    fiscal_year: int
    total: BudgetLine
    by_menu_item: list[BudgetLine]
    by_provider: list[BudgetLine]


def budget_by_call(tenant) -> list[tuple[int, BudgetLine]]:
    """`[(fiscal_year, line)]` for every call of `tenant`, oldest first: budget, counted engagements
    and allocated 千円. One query."""
    counted = sa.and_(Engagement.call_id == Call.id, Engagement.state.in_(COUNTED))
    stmt = (
        sa.select(Call.fiscal_year, Call.budget_thousand_yen, sa.func.count(Engagement.id),
                  sa.func.coalesce(sa.func.sum(Engagement.cost_thousand_yen), 0))
        .outerjoin(Engagement, counted)
        .where(Call.tenant_id == tenant.id)
        .group_by(Call.id, Call.fiscal_year, Call.budget_thousand_yen)
        .order_by(Call.fiscal_year)
    )
    return [(fy, BudgetLine(fiscal_year_label(fy), int(n), int(cost), budget or None, is_total=True))
            for fy, budget, n, cost in db.session.execute(stmt)]


def _item_lines(tenant, call: Call) -> list[tuple]:
    """`[(number, title, capacity, provider id, provider name, counted engagements, allocated 千円)]`
    of every item of `call`, numbered ones first (columns only: no joined loading under GROUP BY)."""
    counted = sa.and_(Engagement.menu_item_id == MenuItem.id, Engagement.state.in_(COUNTED))
    stmt = (
        sa.select(MenuItem.number, MenuItem.title, MenuItem.capacity, MenuItem.provider_id, Organisation.name,
                  sa.func.count(Engagement.id), sa.func.coalesce(sa.func.sum(Engagement.cost_thousand_yen), 0))
        .join(Organisation, Organisation.id == MenuItem.provider_id)
        .outerjoin(Engagement, counted)
        .where(MenuItem.tenant_id == tenant.id, MenuItem.call_id == call.id)
        .group_by(MenuItem.id, MenuItem.number, MenuItem.title, MenuItem.capacity, MenuItem.provider_id, Organisation.name)
        .order_by(sa.nulls_last(MenuItem.number), MenuItem.id)
    )
    return [tuple(row) for row in db.session.execute(stmt)]


def year_budget(tenant, fiscal_year: int) -> YearBudget | None:
    """The budget of the call of `fiscal_year` (None when there is none), per menu item and per
    provider; each line's share is of the call's budget. Two queries."""
    call = db.session.scalar(sa.select(Call).where(Call.tenant_id == tenant.id, Call.fiscal_year == fiscal_year))
    if call is None:
        return None
    budget = call.budget_thousand_yen or None
    items, providers = [], {}
    for number, title, capacity, provider_id, provider, n, cost in _item_lines(tenant, call):
        items.append(BudgetLine(f"No.{number} {title}" if number else title, int(n), int(cost), budget, capacity=capacity))
        before = providers.get((provider, provider_id), (0, 0))
        providers[provider, provider_id] = (before[0] + int(n), before[1] + int(cost))
    by_provider = [BudgetLine(name, n, cost, budget) for (name, _), (n, cost) in sorted(providers.items())]
    total = BudgetLine(str(_l("合計")), sum(x.engagements for x in items), sum(x.allocated for x in items), budget, is_total=True)
    return YearBudget(fiscal_year, total, items, by_provider)


def budget_rows(tenant, fiscal_year: int) -> tuple[list[str], list[list]]:
    """`(headers, rows)` for an Excel export of the budget of `fiscal_year`: the total, then one row
    per menu item and per provider, with a 区分 column; money in 千円, share in % (None without a
    budget; 残額 on the total only, 残り枠 on menu items only). No rows when the year has no call."""
    headers = [str(h) for h in (_l("区分"), _l("名称"), _l("支援案件数（件）"), _l("配分額（千円）"), _l("予算額（千円）"),
                                  _l("残額（千円）"), _l("予算に占める割合（%）"), _l("残り枠（市町村）"))]
    data = year_budget(tenant, fiscal_year)
    if data is None:
        return headers, []
    groups = [(_l("合計"), [data.total]), (_l("支援メニュー"), data.by_menu_item), (provider_label(), data.by_provider)]
    rows = [[str(kind), line.label, line.engagements, line.allocated, line.budget, line.remaining, line.share,
             line.slots_left]
            for kind, lines in groups for line in lines]
    return headers, rows


def call_chart(calls: list[tuple[int, BudgetLine]]) -> BarChart:
    """Budget and allocated 千円 per call (`budget_by_call`), oldest first; "—" where no budget is set."""
    series = {str(_l("配分額")): [line.allocated for _, line in calls], str(_l("予算額")): [line.budget for _, line in calls]}
    return bar_chart("chart-calls", str(_l("年度別の予算額と配分額（千円）")), [line.label for _, line in calls], series, unit=str(_l("千円")))


def provider_chart(year: YearBudget) -> BarChart:
    """Allocated 千円 per provider within one call (`YearBudget.by_provider`)."""
    title = _l("%(provider)s別の配分額（%(fy)s、千円）", provider=provider_label(), fy=fiscal_year_label(year.fiscal_year))
    return bar_chart("chart-providers", str(title),
                     [line.label for line in year.by_provider], {str(_l("配分額")): [line.allocated for line in year.by_provider]},
                     unit=str(_l("千円")))
