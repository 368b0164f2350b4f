"""The navigation bar per role: (endpoint, label) pairs, kept to endpoints that exist."""
from __future__ import annotations

from flask import current_app, g
from flask_babel import lazy_gettext as _l

from app.auth.models import Role

PUBLIC = [("menus.public_menu", _l("支援メニュー")), ("cases.index", _l("事例集")), ("coverage.index", _l("支援状況"))]
BY_ROLE = {
    Role.OPERATOR: [
        ("calls.index", _l("募集（年度）")),
        ("applications.manage_requests", _l("派遣依頼")),
        ("engagements.index", _l("支援案件")),
        ("decisions.notices", _l("決定通知")),
        ("relationships.index", _l("利害関係")),
        ("surveys.results", _l("事後アンケート")),
        ("needs.index", _l("DX課題把握")),
        ("coverage.figures", _l("年度別実績")),
        ("coverage.budget", _l("予算")),
        ("cases.manage", _l("事例管理")),
        ("notifications.outbox", _l("送信メール")),
        ("imports.index", _l("Excel取込")),
        ("audit.index", _l("監査ログ")),
        ("accounts.index", _l("ユーザー管理")),
        ("settings.index", _l("事業設定")),
    ],
    Role.REVIEWER: [("reviews.index", _l("審査")), ("needs.summary", _l("DX課題の集計"))],
    Role.MUNICIPAL: [
        ("applications.index", _l("申込")),
        ("applications.requests", _l("派遣依頼")),
        ("decisions.notices", _l("決定通知")),
        ("engagements.index", _l("支援案件")),
        ("cases.manage", _l("事例の確認")),
        ("needs.answer", _l("DX課題把握アンケート")),
    ],
    Role.PROVIDER: [
        ("menus.my_proposals", _l("メニュー提案")),
        ("decisions.notices", _l("決定通知")),
        ("engagements.index", _l("支援案件")),
        ("relationships.index", _l("利害関係")),
        ("cases.manage", _l("事例の確認")),
        ("needs.summary", _l("DX課題の集計")),
    ],
}


# Pages of one program shape only (tenant.toml rules.call_model): 派遣依頼 for continuous / on-demand
# programs; 申込, menu proposals and reviews for annual calls.
REQUESTS_ONLY = {"applications.manage_requests", "applications.requests"}
ANNUAL_ONLY = {"applications.index", "menus.my_proposals", "reviews.index"}


# Pages of the needs survey, shown only where the tenant runs one (a stored questionnaire).
NEEDS_ONLY = {"needs.index", "needs.answer", "needs.summary"}


def _fits_program(endpoint: str) -> bool:
    tenant = getattr(g, "tenant", None)
    takes_requests = bool(tenant is not None and tenant.takes_requests)
    if endpoint in NEEDS_ONLY:
        from app.needs.template import has_needs_survey  # a domain query; navigation is collected here

        return has_needs_survey(tenant)
    return endpoint not in (ANNUAL_ONLY if takes_requests else REQUESTS_ONLY)


def navigation_for(role: Role | None) -> list[tuple[str, str]]:
    """Links shown in the header for `role` (None: anonymous), public pages last."""
    items = BY_ROLE.get(role, []) + PUBLIC
    return [(endpoint, label) for endpoint, label in items
            if endpoint in current_app.view_functions and _fits_program(endpoint)]
