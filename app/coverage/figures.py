"""Program figures by fiscal year (issue 5 §4): what the prefecture reports every year — e.g.
FY2022 19 municipalities (001:167), FY2023 20 (001:168), FY2024 45 projects in 41 municipalities
(001:221), 34 menu items (001:232), budget 69,545千円 (001:218).

Definitions follow coverage (`app.coverage.queries`): an engagement counts unless it was cancelled
or declined (`COUNTED`); municipalities and providers are distinct counts per year, never sums.
Every metric is one aggregate SQL query over all years (five queries in all, whatever the data).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.calls.models import Call
from app.core.wareki import fiscal_year_label
from app.coverage.charts import VERTICAL, BarChart, bar_chart
from app.engagements.models import Engagement, SupportSession
from app.engagements.states import COUNTED
from app.extensions import db
from app.menus.models import MenuItem
from app.surveys.models import SurveyResponse
from app.surveys.permissions import ANSWERABLE_STATES
from app.surveys.queries import Share
from app.surveys.states import SurveyKind
from app.tenancy.labels import lazy_label


@dataclass(frozen=True)
class ProgramFigures:
    """One fiscal year. Money in 千円; `budget_thousand_yen` is None when the year has no call or its
    call has no budget set (0); `survey` is the share 課題解決につながった of the answers given (001:195)."""

    fiscal_year: int
    municipalities: int = 0
    engagements: int = 0
    providers: int = 0
    menu_items: int = 0
    proposals: int = 0
    budget_thousand_yen: int | None = None
    allocated_thousand_yen: int = 0
    survey: Share = field(default_factory=Share)


# (attribute, header, unit) in display and export order; the survey is shown as a share.
METRICS = [
    ("municipalities", _l("支援した市町村数"), _l("市町村")),
    ("engagements", _l("支援案件数"), _l("件")),
    ("providers", lazy_label("支援した%(provider)s数"), _l("社")),
    ("menu_items", _l("支援メニュー項目数"), _l("項目")),
    ("proposals", _l("支援で行った解決策の提案数"), _l("件")),
    ("budget_thousand_yen", _l("予算額"), _l("千円")),
    ("allocated_thousand_yen", _l("配分額（支援案件の経費）"), _l("千円")),
]


def _engagement_totals(tenant) -> dict[int, tuple[int, int, int, int]]:
    """`{fy: (distinct municipalities, engagements, distinct providers, cost 千円)}` of counted engagements."""
    stmt = (
        sa.select(Engagement.fiscal_year, sa.func.count(sa.distinct(Engagement.municipality_id)), sa.func.count(),
                  sa.func.count(sa.distinct(Engagement.provider_id)), sa.func.coalesce(sa.func.sum(Engagement.cost_thousand_yen), 0))
        .where(Engagement.tenant_id == tenant.id, Engagement.state.in_(COUNTED))
        .group_by(Engagement.fiscal_year)
    )
    return {fy: (int(m), int(n), int(p), int(cost)) for fy, m, n, p, cost in db.session.execute(stmt)}


def _budgets(tenant) -> dict[int, int | None]:
    """`{fy: budget 千円 or None}` of the tenant's calls; 0 (a call's default) means none was set."""
    stmt = sa.select(Call.fiscal_year, Call.budget_thousand_yen).where(Call.tenant_id == tenant.id)
    return {fy: budget or None for fy, budget in db.session.execute(stmt)}


def _menu_items(tenant) -> dict[int, int]:
    """`{fy: numbered items of the call's published menu}` (unpublished menus count 0)."""
    stmt = (
        sa.select(Call.fiscal_year, sa.func.count(MenuItem.id))
        .join(Call, Call.id == MenuItem.call_id)
        .where(MenuItem.tenant_id == tenant.id, MenuItem.number.is_not(None), Call.menu_published_at.is_not(None))
        .group_by(Call.fiscal_year)
    )
    return dict(db.session.execute(stmt).all())


def _proposals(tenant) -> dict[int, int]:
    """`{fy: Σ SupportSession.proposals_count}` over the sessions of counted engagements (cf. 003:1635)."""
    stmt = (
        sa.select(Engagement.fiscal_year, sa.func.coalesce(sa.func.sum(SupportSession.proposals_count), 0))
        .join(Engagement, Engagement.id == SupportSession.engagement_id)
        .where(SupportSession.tenant_id == tenant.id, Engagement.state.in_(COUNTED))
        .group_by(Engagement.fiscal_year)
    )
    return {fy: int(n) for fy, n in db.session.execute(stmt)}


def survey_shares(tenant) -> dict[int, Share]:
    """`{fy: Share}` 課題解決につながった of the answered 事後アンケート (not the follow-up) of completed
    or closed engagements — the same population as the survey results page (001:195). One query."""
    solved = sa.func.sum(sa.case((SurveyResponse.is_problem_solved.is_(True), 1), else_=0))
    stmt = (
        sa.select(Engagement.fiscal_year, solved, sa.func.count(SurveyResponse.is_problem_solved))
        .join(Engagement, Engagement.id == SurveyResponse.engagement_id)
        .where(SurveyResponse.tenant_id == tenant.id, SurveyResponse.kind == SurveyKind.INITIAL,
               Engagement.state.in_(ANSWERABLE_STATES), SurveyResponse.is_problem_solved.is_not(None))
        .group_by(Engagement.fiscal_year)
    )
    return {fy: Share(int(s or 0), int(n)) for fy, s, n in db.session.execute(stmt)}


def figures_by_year(tenant) -> list[ProgramFigures]:
    """`ProgramFigures` for every fiscal year with a call or an engagement in `tenant`, oldest first.

    Five queries whatever the number of years or engagements. Municipalities count every
    municipality supported that year, including ones no longer active (merged), as reported then.
    """
    totals, budgets, items = _engagement_totals(tenant), _budgets(tenant), _menu_items(tenant)
    proposals, shares = _proposals(tenant), survey_shares(tenant)
    figures = []
    for fy in sorted(set(totals) | set(budgets)):
        municipalities, engagements, providers, cost = totals.get(fy, (0, 0, 0, 0))
        figures.append(ProgramFigures(
            fiscal_year=fy, municipalities=municipalities, engagements=engagements, providers=providers,
            menu_items=items.get(fy, 0), proposals=proposals.get(fy, 0), budget_thousand_yen=budgets.get(fy),
            allocated_thousand_yen=cost, survey=shares.get(fy, Share()),
        ))
    return figures


def figures_rows(tenant) -> tuple[list[str], list[list]]:
    """`(headers, rows)` for an Excel export of `figures_by_year`: one row per fiscal year (西暦), the
    metrics of `METRICS` with their unit in the header, then the survey answers, solved and share %
    (None when no answers)."""
    headers = [str(_l("年度"))] + [f"{label}（{unit}）" for _, label, unit in METRICS]
    headers += [str(_l("アンケート回答数（件）")), str(_l("課題解決につながった（件）")), str(_l("課題解決につながった割合（%）"))]
    rows = [[f.fiscal_year] + [getattr(f, attr) for attr, _, _ in METRICS] + [f.survey.answered, f.survey.solved, f.survey.percent]
            for f in figures_by_year(tenant)]
    return headers, rows


def engagements_by_category(tenant, fiscal_year: int) -> list[tuple[str, int]]:
    """`[(category label, counted engagements of fiscal_year)]` by the DX categories of their menu
    item, in the tenant's category order (`tenant.categories`), zero counts included, unknown codes
    last. An item with two categories counts in both, so the total can exceed the engagements."""
    stmt = (
        sa.select(MenuItem.categories)
        .join(Engagement, Engagement.menu_item_id == MenuItem.id)
        .where(Engagement.tenant_id == tenant.id, Engagement.fiscal_year == fiscal_year, Engagement.state.in_(COUNTED))
    )
    counts: dict[str, int] = {c["code"]: 0 for c in tenant.categories or []}
    for categories in db.session.scalars(stmt):
        for code in dict.fromkeys(categories or []):
            counts[code] = counts.get(code, 0) + 1
    return [(tenant.category_label(code), n) for code, n in counts.items()]


def year_chart(figures: list[ProgramFigures]) -> BarChart:
    """Municipalities supported and engagements per fiscal year (vertical bars, oldest first)."""
    series = {str(_l("支援した市町村数")): [f.municipalities for f in figures],
              str(_l("支援案件数")): [f.engagements for f in figures]}
    return bar_chart("chart-years", str(_l("年度別の支援した市町村数と支援案件数")),
                     [fiscal_year_label(f.fiscal_year) for f in figures], series, orientation=VERTICAL)


def category_chart(categories: list[tuple[str, int]], fiscal_year: int) -> BarChart:
    """Engagements of `fiscal_year` by DX category (`engagements_by_category`), horizontal bars."""
    return bar_chart("chart-categories", str(_l("分類別の支援案件数（%(fy)s）", fy=fiscal_year_label(fiscal_year))),
                     [label for label, _ in categories], {str(_l("支援案件数")): [n for _, n in categories]})


def survey_chart(shares: dict[int, Share]) -> BarChart:
    """Share 課題解決につながった per fiscal year in % of the answers (`survey_shares`), oldest first;
    the label gives the number of answers (001:195)."""
    years = sorted(shares)
    labels = [str(_l("%(fy)s（回答%(n)d件）", fy=fiscal_year_label(y), n=shares[y].answered)) for y in years]
    return bar_chart("chart-survey", str(_l("年度別「課題解決につながった」の割合")), labels,
                     {str(_l("課題解決につながった")): [shares[y].percent for y in years]}, max_value=100, unit="%")
