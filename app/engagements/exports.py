"""Excel out of the engagement list (支援案件): the rows of `queries.engagement_page` with the
list page's filters (?fiscal_year=, ?state=, ?provider= for operators), scoped to the user."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.models import Role
from app.engagements.queries import EngagementRow, engagement_page
from app.engagements.states import EngagementState
from app.exports.registry import Column, ExportContext, paged_export, roles
from app.tenancy.labels import lazy_label

COLUMNS = [Column(_l("年度"), 8), Column(_l("全国地方公共団体コード"), 12), Column(_l("市町村"), 14),
           Column(_l("支援メニュー"), 36), Column(lazy_label("%(provider)s"), 28), Column(_l("状態"), 10),
           Column(_l("支援回数"), 8), Column(_l("最終支援日"), 12), Column(_l("費用（千円）"), 10)]


def _fetch(ctx: ExportContext, number: int):
    operator = ctx.user.role == Role.OPERATOR
    return engagement_page(ctx.user, ctx.tenant, page=number, fiscal_year=ctx.int_param("fiscal_year"),
                           state=ctx.enum_param("state", EngagementState),
                           provider_id=ctx.int_param("provider") if operator else None)


def _row(row: EngagementRow) -> tuple:
    e = row.engagement
    return (e.fiscal_year, e.municipality.lg_code, e.municipality.name, e.menu_item.title, e.provider.name, e.state,
            row.sessions_count, row.last_held_on, e.cost_thousand_yen)


ENGAGEMENTS = paged_export("engagements", _l("支援案件一覧"), COLUMNS, _fetch, _row,
                           roles(Role.OPERATOR, Role.PROVIDER, Role.MUNICIPAL))
