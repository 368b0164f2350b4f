"""The navigation bar per role: (endpoint, label) pairs, kept to endpoints that exist."""
from __future__ import annotations

from flask import current_app
from flask_babel import lazy_gettext as _l

from app.auth.models import Role

PUBLIC = [("menus.public_menu", _l("支援メニュー")), ("cases.index", _l("事例集")), ("coverage.index", _l("支援状況"))]
BY_ROLE = {
    Role.OPERATOR: [
        ("calls.index", _l("募集（年度）")),
        ("engagements.index", _l("支援案件")),
        ("surveys.results", _l("事後アンケート")),
        ("cases.manage", _l("事例管理")),
    ],
    Role.REVIEWER: [("reviews.index", _l("審査"))],
    Role.MUNICIPAL: [
        ("applications.index", _l("申込")),
        ("engagements.index", _l("支援案件")),
        ("cases.manage", _l("事例の確認")),
    ],
    Role.PROVIDER: [
        ("menus.my_proposals", _l("メニュー提案")),
        ("engagements.index", _l("支援案件")),
    ],
}


def navigation_for(role: Role | None) -> list[tuple[str, str]]:
    """Links shown in the header for `role` (None: anonymous), public pages last."""
    items = BY_ROLE.get(role, []) + PUBLIC
    return [(endpoint, label) for endpoint, label in items if endpoint in current_app.view_functions]
