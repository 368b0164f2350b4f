"""Excel out of the cases domain: the case management list (事例管理: operator every case,
municipal and provider staff their organisation's cases, with the list page's ?state= filter; a registered list
export). The yearly 事例集 booklet workbook is `app.cases.booklet`."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.models import Role
from app.cases.queries import managed_page
from app.cases.states import CaseState
from app.exports.registry import Column, ExportContext, paged_export, roles
from app.tenancy.labels import lazy_label

COLUMNS = [Column(_l("年度"), 8), Column(_l("事例ID"), 8), Column(_l("件名"), 50), Column(_l("市町村"), 14),
           Column(_l("支援メニュー"), 36), Column(lazy_label("%(provider)s"), 28), Column(_l("状態"), 12),
           Column(_l("承認日時"), 18), Column(_l("公開日時"), 18)]


def _fetch(ctx: ExportContext, number: int):
    own = {} if ctx.user.role == Role.OPERATOR else {
        "municipality_id" if ctx.user.role == Role.MUNICIPAL else "provider_id": ctx.user.organisation_id}
    return managed_page(ctx.tenant, **own, state=ctx.enum_param("state", CaseState), page=number)


def _row(c) -> tuple:
    e = c.engagement
    return (c.fiscal_year, c.id, c.title, e.municipality.name, e.menu_item.title, e.provider.name, c.state,
            c.approved_at, c.published_at)


CASES = paged_export("cases", _l("事例管理一覧"), COLUMNS, _fetch, _row, roles(Role.OPERATOR, Role.MUNICIPAL, Role.PROVIDER))

