"""Arrange calls under review: proposals in 支援メニュー審査・選定, applications in 選定・決定."""
from __future__ import annotations

from app.applications.services import create_application, submit_application
from app.auth.models import Role
from app.calls.services import transition_call
from app.calls.states import CallPhase
from app.reviews.services import declare_conflict
from tests import factories
from tests.applications.builders import advance, call_with_menu
from tests.menus.builders import call_in, proposal

LG_CODES = ["072010", "072028", "072036", "072044"]
GOOD = {"necessity": 5, "feasibility": 3, "cost": 4}
WHY = {"necessity": "ニーズに合致", "feasibility": "体制が十分", "cost": "費用は妥当"}
APP_SCORES = {"clarity": 4, "readiness": 3, "effect": 5}
APP_WHY = {"clarity": "課題が具体的", "readiness": "担当課が明確", "effect": "他市町村にも展開可能"}


def reviewer(t, email: str, organisation=None, name: str = "審査員"):
    """A reviewer account (the program office unless `organisation`)."""
    return factories.user(t, Role.REVIEWER, email, organisation=organisation, name=name)


def proposals_in_review(t, providers=("甲社", "乙社")):
    """A call in MENU_REVIEW with one submitted proposal per provider name: `(call, [proposal, …])`."""
    call = call_in(t, CallPhase.PROPOSALS)
    items = [proposal(call, factories.provider(t, name), title=f"{name}の提案") for name in providers]
    transition_call(call, CallPhase.MENU_REVIEW, actor=None)
    return call, items


def applications_in_selection(t, count: int = 2, item_providers=("甲社", "乙社", "丙社"), *,
                              phase: CallPhase = CallPhase.SELECTION):
    """A call in SELECTION with one menu item per provider name and `count` submitted applications
    (municipality i chooses item i mod n first): `(call, menu, [application, …])`."""
    call, menu = call_with_menu(t, items=[(2, 1000)] * len(item_providers))
    for item, name in zip(menu, item_providers, strict=True):
        item.provider_id = factories.provider(t, name).id
    applications = []
    for index in range(count):
        first = menu[index % len(menu)]
        app = create_application(call, factories.municipality(LG_CODES[index]), actor=None, choices=[first],
                                 issue="庁内の情報セキュリティ対策を見直したい")
        submit_application(app, actor=None)
        applications.append(app)
    if phase != CallPhase.APPLICATIONS:
        advance(call, phase)
    return call, menu, applications


def declared(item, user):
    """`user` declares 利害関係なし on `item`; returns `item`."""
    declare_conflict(item, user, has_conflict=False)
    return item
