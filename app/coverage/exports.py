"""Excel out of the coverage page (支援状況, public, ?fiscal_year=): the municipality × fiscal-year
matrix (1 = supported that year, blank = not; the last year supported), the municipalities never
supported in the window (001:165) and the priority list for the next call (001:170); for the
operator, the program figures by year (年度別実績) and the budget of a year (予算と配分額)."""
from __future__ import annotations

from collections.abc import Callable

from flask_babel import lazy_gettext as _l

from app.auth.models import Role

from app.core.wareki import fiscal_year_label
from app.coverage.budget import budget_rows
from app.coverage.figures import figures_rows
from app.coverage.queries import CoverageSummary, coverage_summary, default_fiscal_year
from app.exports.registry import Column, ExportContext, ListExport, anyone, list_export, register, roles

def _summary(ctx: ExportContext) -> CoverageSummary:
    return ctx.memo("coverage", lambda: coverage_summary(ctx.tenant, ctx.int_param("fiscal_year")))


def _municipality_columns(ctx: ExportContext) -> list[Column]:
    """地域 / 地方 only where the tenant's municipalities have them, the focus-group column only for a
    tenant that names one (Fukushima: 避難地域12市町村)."""
    summary = _summary(ctx)
    return [*([Column(_l("地域"), 10)] if summary.by_region else []), *([Column(_l("地方"), 10)] if summary.by_area else []),
            Column(_l("全国地方公共団体コード"), 12), Column(_l("市町村"), 14),
            *([Column(summary.focus_group.label, 14)] if summary.focus_group else [])]


def _municipality(ctx: ExportContext, m) -> tuple:
    summary = _summary(ctx)
    return (*((m.region,) if summary.by_region else ()), *((m.area,) if summary.by_area else ()), m.lg_code, m.name,
            *(("○" if m.is_evacuation_area else "",) if summary.focus_group else ()))


def _municipalities(ctx: ExportContext, items) -> list[tuple]:
    return [_municipality(ctx, m) for m in items]


def _matrix_columns(ctx: ExportContext) -> list[Column]:
    years = [Column(fiscal_year_label(y), 10) for y in _summary(ctx).matrix_years]
    return [*_municipality_columns(ctx), *years, Column(_l("期間内の支援"), 10), Column(_l("最後に支援した年度"), 12)]


def _matrix_rows(ctx: ExportContext) -> list[tuple]:
    summary = _summary(ctx)
    rows = []
    for _region, group in summary.matrix:
        for row in group:
            supported = [y for y, n in zip(summary.matrix_years, row.cells, strict=True) if n]
            rows.append((*_municipality(ctx, row.municipality), *(1 if n else None for n in row.cells),
                         "○" if row.covered else "", fiscal_year_label(max(supported)) if supported else ""))
    return rows


MATRIX = register(ListExport("coverage_matrix", _l("市町村×年度の支援状況"), _matrix_columns, _matrix_rows,
                             count=lambda ctx: sum(len(g) for _r, g in _summary(ctx).matrix), allowed=anyone))
NEVER_SUPPORTED = list_export("coverage_never_supported", _l("期間内未支援の市町村"), _municipality_columns,
                              lambda ctx: _municipalities(ctx, _summary(ctx).never_supported_in_window), tuple, anyone)
PRIORITY = list_export("coverage_priority", _l("次回募集の優先対象"), _municipality_columns,
                       lambda ctx: _municipalities(ctx, _summary(ctx).priority_next), tuple, anyone)


def _table(ctx: ExportContext, key: str, build: Callable[[], tuple[list[str], list[list]]]) -> tuple[list[str], list[list]]:
    return ctx.memo(key, build)


def _budget_table(ctx: ExportContext):
    fiscal_year = ctx.int_param("fiscal_year") or default_fiscal_year(ctx.tenant)  # the page's default year
    return _table(ctx, "budget", lambda: budget_rows(ctx.tenant, fiscal_year))


def _figures_table(ctx: ExportContext):
    return _table(ctx, "figures", lambda: figures_rows(ctx.tenant))


def _table_export(name: str, title, table: Callable[[ExportContext], tuple[list[str], list[list]]]) -> ListExport:
    """An operator-only export of a `(headers, rows)` table (figures, budget: a few dozen rows)."""
    return register(ListExport(name, title, lambda ctx: [Column(h, 16) for h in table(ctx)[0]],
                               lambda ctx: [tuple(r) for r in table(ctx)[1]], count=lambda ctx: len(table(ctx)[1]),
                               allowed=roles(Role.OPERATOR)))


FIGURES = _table_export("program_figures", _l("年度別実績"), _figures_table)
BUDGET = _table_export("budget", _l("予算と配分額"), _budget_table)
