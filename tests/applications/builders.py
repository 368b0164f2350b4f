"""Arrange calls, published menus and past support for the applications and selection tests.

Menus are created as published `MenuItem` rows directly (the menus domain is built elsewhere);
phases move only through `transition_call`.
"""
from __future__ import annotations

from app.calls.services import create_call, transition_call
from app.calls.states import CallPhase
from app.core.db import utcnow
from app.engagements.services import record_past_engagement
from app.extensions import db
from app.menus.models import MenuItem
from tests import factories

PATH = [CallPhase.PROPOSALS, CallPhase.MENU_REVIEW, CallPhase.APPLICATIONS, CallPhase.SELECTION,
        CallPhase.SUPPORT, CallPhase.CLOSING, CallPhase.CLOSED]


def advance(call, to_phase: CallPhase) -> None:
    """Move `call` forward phase by phase until `to_phase` (the menu is published before 申込受付)."""
    for phase in PATH[PATH.index(call.phase) + 1 if call.phase in PATH else 0:]:
        if phase == CallPhase.APPLICATIONS and call.menu_published_at is None:
            call.menu_published_at = utcnow()
        transition_call(call, phase, actor=None)
        if phase == to_phase:
            return


def call_with_menu(tenant, *, phase: CallPhase = CallPhase.APPLICATIONS, fiscal_year: int = 2024, budget: int = 10_000,
                   items: list[tuple[int, int]] = ((2, 1000), (2, 1000), (1, 1000)), **rules):
    """A call in `phase` whose menu has one numbered item per (capacity, unit cost 千円); the menu
    is published when the call reaches 申込受付.

    Returns `(call, [MenuItem, …])`. Keyword `rules` override the call's rules (max_choices, …).
    """
    call = create_call(tenant, fiscal_year=fiscal_year, budget_thousand_yen=budget, actor=None)
    for key, value in rules.items():
        setattr(call, key, value)
    provider = factories.provider(tenant)
    menu = []
    for number, (capacity, cost) in enumerate(items, start=1):
        item = MenuItem(tenant_id=tenant.id, call_id=call.id, provider_id=provider.id, number=number,
                        title=f"テストメニュー{number}", categories=["SEC"], capacity=capacity, unit_cost_thousand_yen=cost)
        db.session.add(item)
        menu.append(item)
    db.session.flush()
    if phase != CallPhase.DRAFT:
        advance(call, phase)
    return call, menu


def supported_in(tenant, municipality, fiscal_year: int) -> None:
    """Record that `municipality` was supported in `fiscal_year` (a past call with one item)."""
    from app.calls.queries import call_for_year

    call = call_for_year(tenant, fiscal_year) or create_call(tenant, fiscal_year=fiscal_year, budget_thousand_yen=0, actor=None)
    item = MenuItem(tenant_id=tenant.id, call_id=call.id, provider_id=factories.provider(tenant).id, number=None,
                    title="過去のメニュー", capacity=50, unit_cost_thousand_yen=0)
    db.session.add(item)
    db.session.flush()
    record_past_engagement(call=call, municipality=municipality, menu_item=item, actor=None)
