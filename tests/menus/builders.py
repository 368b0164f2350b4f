"""Test data for menus and reviews, built through the calls, menus and reviews services."""
from __future__ import annotations

from app.auth.models import Role
from app.calls.models import Call
from app.calls.services import create_call, transition_call
from app.calls.states import CallPhase
from app.menus.models import MenuProposal
from app.menus.services import decide_proposal, propose_menu_item, publish_menu, submit_proposal
from tests import factories

PATH = {
    CallPhase.PROPOSALS: [CallPhase.PROPOSALS],
    CallPhase.MENU_REVIEW: [CallPhase.PROPOSALS, CallPhase.MENU_REVIEW],
}


def call_in(tenant, phase: CallPhase, fiscal_year: int = 2024) -> Call:
    """A new call of `fiscal_year` moved to `phase` (DRAFT, PROPOSALS or MENU_REVIEW)."""
    call = create_call(tenant, fiscal_year=fiscal_year, budget_thousand_yen=69545, actor=None)
    for step in PATH.get(phase, []):
        transition_call(call, step, actor=None)
    return call


def fields(**overrides) -> dict:
    """Valid proposal fields (a menu item named in 001:260), with `overrides`."""
    values = {
        "title": "情報セキュリティポリシー見直し",
        "categories": ["SEC"],
        "description": "庁内の情報セキュリティポリシーを国のガイドラインに沿って見直します。",
        "deliverables": "改定案",
        "format": "hybrid",
        "regions_served": [],
        "capacity": 3,
        "unit_cost_thousand_yen": 1500,
    }
    return values | overrides


def proposal(call: Call, provider, *, submit: bool = True, **overrides) -> MenuProposal:
    """A proposal of `provider` for `call` (in PROPOSALS), submitted unless `submit` is False."""
    item = propose_menu_item(call, provider, actor=None, **fields(**overrides))
    if submit:
        submit_proposal(item, actor=None)
    return item


def provider_user(tenant, email: str, name: str = "テスト情報システム株式会社"):
    """A provider staff account of company `name` (created if missing)."""
    return factories.user(tenant, Role.PROVIDER, email, organisation=factories.provider(tenant, name))


def published_call(tenant, titles=("ＲＰＡ実証確認", "情報セキュリティポリシー見直し"), fiscal_year: int = 2024) -> Call:
    """A call whose menu is published with one adopted item per title (numbered in that order)."""
    call = call_in(tenant, CallPhase.PROPOSALS, fiscal_year)
    company = factories.provider(tenant)
    proposals = [proposal(call, company, title=title) for title in titles]
    transition_call(call, CallPhase.MENU_REVIEW, actor=None)
    for item in proposals:
        decide_proposal(item, actor=None, adopt=True, reason="")
    publish_menu(call, actor=None)
    return call
