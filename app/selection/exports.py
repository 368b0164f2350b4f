"""Excel out of a call's selection (選定・決定, operator, ?call_id=): every allocation line with its
decision and reason, in the order of the selection page (priority first, then 全国地方公共団体コード)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.models import Role
from app.core.pagination import Page
from app.exports.registry import Column, ExportContext, paged_export, roles, statement_page
from app.selection.permissions import is_selection_available
from app.selection.queries import allocations_stmt, selection_of
from app.tenancy.labels import lazy_label

COLUMNS = [Column(_l("申込ID"), 8), Column(_l("全国地方公共団体コード"), 12), Column(_l("市町村"), 14),
           Column(_l("優先（過去2年間支援なし）"), 10), Column(_l("結果"), 8), Column(_l("支援メニュー"), 36),
           Column(lazy_label("%(provider)s"), 28), Column(_l("希望順位"), 8), Column(_l("理由"), 50), Column(_l("固定"), 6),
           Column(_l("除外"), 6)]


def _fetch(ctx: ExportContext, number: int) -> Page:
    call = ctx.call()
    selection = selection_of(ctx.tenant, call) if is_selection_available(call) else None
    if selection is None:
        return Page([], 1, 1, 0)
    return statement_page(allocations_stmt(ctx.tenant, selection), number)


def _row(a) -> tuple:
    item = a.menu_item
    return (a.application_id, a.application.municipality.lg_code, a.application.municipality.name,
            "優先" if a.is_priority else "", "選定" if item is not None else "非選定", item.title if item else "",
            item.provider.name if item else "", a.choice_rank, a.reason, "○" if a.is_pinned else "",
            "○" if a.is_excluded else "")


ALLOCATIONS = paged_export("selection", _l("選定結果"), COLUMNS, _fetch, _row, roles(Role.OPERATOR))
