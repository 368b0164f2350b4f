"""Excel out of the call list (募集（年度）, operator): every call of the tenant, newest first."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.models import Role
from app.calls.queries import calls_of
from app.exports.registry import Column, list_export, roles

COLUMNS = [Column(_l("年度"), 8), Column(_l("名称"), 30), Column(_l("フェーズ"), 16), Column(_l("予算（千円）"), 12),
           Column(_l("希望数の上限"), 10), Column(_l("支援メニュー公開日時"), 18)]


def _row(call) -> tuple:
    return (call.fiscal_year, call.title, call.phase, call.budget_thousand_yen, call.max_choices, call.menu_published_at)


CALLS = list_export("calls", _l("募集一覧"), COLUMNS, lambda ctx: calls_of(ctx.tenant), _row, roles(Role.OPERATOR))
