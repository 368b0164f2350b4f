"""Excel out of the application lists (申込): a call's applications for the operator (?state=,
?priority=1, with support history and priority) and the municipality's own applications."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.applications.permissions import municipality_of
from app.applications.queries import (LISTED, applications_of_municipality, call_applications_stmt,
                                      municipality_ids_of_call, priority_flags)
from app.applications.states import ApplicationState
from app.auth.models import Role
from app.exports.registry import Column, ExportContext, ExportNotFound, list_export, paged_export, roles, statement_page


def _choices(application) -> str:
    return "\n".join(f"第{c.rank}希望：{c.menu_item.title}（{c.menu_item.provider.name}）" for c in application.choices)


CALL_COLUMNS = [Column(_l("申込ID"), 8), Column(_l("全国地方公共団体コード"), 12), Column(_l("市町村"), 14),
                Column(_l("状態"), 10), Column(_l("優先（過去2年間支援なし）"), 10), Column(_l("支援実績（年度）"), 16),
                Column(_l("希望する支援メニュー"), 50), Column(_l("課題"), 50), Column(_l("提出日時"), 18)]


def _call_fetch(ctx: ExportContext, number: int):
    call = ctx.call()
    state = ctx.enum_param("state", ApplicationState)
    history, priority = priority_flags(ctx.tenant, call, municipality_ids_of_call(ctx.tenant, call))
    only = priority if ctx.params.get("priority") == "1" else None
    page = statement_page(call_applications_stmt(ctx.tenant, call, state=state if state in LISTED else None,
                                                 municipality_ids=only), number)
    page.items = [(a, history.get(a.municipality_id, []), a.municipality_id in priority) for a in page.items]
    return page


def _call_row(row) -> tuple:
    a, years, is_priority = row
    return (a.id, a.municipality.lg_code, a.municipality.name, a.state, "優先" if is_priority else "",
            "、".join(str(y) for y in years), _choices(a), a.issue, a.submitted_at)


CALL_APPLICATIONS = paged_export("call_applications", _l("申込一覧"), CALL_COLUMNS, _call_fetch, _call_row, roles(Role.OPERATOR))

OWN_COLUMNS = [Column(_l("年度"), 8), Column(_l("申込ID"), 8), Column(_l("状態"), 10), Column(_l("希望する支援メニュー"), 50),
               Column(_l("課題"), 50), Column(_l("提出日時"), 18), Column(_l("差戻しの理由"), 30)]


def _own(ctx: ExportContext) -> list:
    org = municipality_of(ctx.user)
    if org is None:
        raise ExportNotFound("not a municipality")
    return applications_of_municipality(ctx.tenant, org.id)


def _own_row(a) -> tuple:
    return (a.call.fiscal_year, a.id, a.state, _choices(a), a.issue, a.submitted_at, a.return_reason)


MY_APPLICATIONS = list_export("applications", _l("自団体の申込"), OWN_COLUMNS, _own, _own_row, roles(Role.MUNICIPAL))
