"""Excel out of the survey results of a fiscal year (事後アンケート, operator, ?fiscal_year=,
default the newest): the year's total, then per menu item and per provider, with the share
「課題解決につながった」 (001:195) of the survey and of the follow-up survey."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.models import Role
from app.exports.registry import Column, ExportContext, list_export, roles
from app.surveys.queries import survey_fiscal_years, survey_results
from app.tenancy.labels import provider_label

COLUMNS = [Column(_l("年度"), 8), Column(_l("区分"), 12), Column(_l("名称"), 40), Column(_l("完了件数"), 10),
           Column(_l("回答件数"), 10), Column(_l("課題解決につながった（件）"), 12), Column(_l("回答（件）"), 10),
           Column(_l("割合（%）"), 10), Column(_l("追跡調査：つながった（件）"), 12), Column(_l("追跡調査：回答（件）"), 12)]


def _tallies(ctx: ExportContext) -> list:
    years = survey_fiscal_years(ctx.tenant)
    fiscal_year = ctx.int_param("fiscal_year") or (years[0] if years else None)
    if fiscal_year is None:
        return []
    results = survey_results(ctx.tenant, fiscal_year)
    groups = [("合計", [results.total]), ("支援メニュー別", results.by_menu_item),
              (f"{provider_label(ctx.tenant)}別", results.by_provider)]
    return [(fiscal_year, kind, tally) for kind, tallies in groups for tally in tallies]


def _row(row) -> tuple:
    fiscal_year, kind, t = row
    return (fiscal_year, kind, t.label, t.completed, t.responses, t.share.solved, t.share.answered, t.share.percent,
            t.follow_up.solved, t.follow_up.answered)


SURVEY_RESULTS = list_export("survey_results", _l("事後アンケート結果"), COLUMNS, _tallies, _row, roles(Role.OPERATOR))
