"""A confirmed selection with a waitlist, shared by the decisions and relationships tests.

Menu: A and B (capacity 1, 1,000千円 each, provider テスト情報システム株式会社), budget 10,000千円.
Applications in submission order: 福島市 [A, B] (supported FY2023), 郡山市 [A], いわき市 [B],
白河市 [B, A], 会津若松市 [A] (supported FY2023). 郡山市 gets A and いわき市 B; the waitlist is
白河市 (priority), 福島市, 会津若松市.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.applications.models import Application
from app.applications.services import create_application, submit_application
from app.auth.models import Role
from app.calls.models import Call
from app.calls.states import CallPhase
from app.engagements.models import Engagement
from app.extensions import db
from app.menus.models import MenuItem
from app.selection.services import confirm_selection, propose_selection
from tests import factories
from tests.applications.builders import advance, call_with_menu, supported_in

CODES = {"fukushima": "072010", "koriyama": "072036", "iwaki": "072044", "shirakawa": "072052", "aizu": "072028"}
CHOICES = {"fukushima": "AB", "koriyama": "A", "iwaki": "B", "shirakawa": "BA", "aizu": "A"}
PROVIDER = "テスト情報システム株式会社"


@dataclass
class World:
    call: Call
    items: dict[str, MenuItem]
    apps: dict[str, Application]
    operator: object
    selection: object = None

    def engagement_of(self, key: str) -> Engagement:
        import sqlalchemy as sa

        return db.session.scalar(sa.select(Engagement).where(Engagement.application_id == self.apps[key].id))


def build(tenant, *, confirm: bool = True) -> World:
    """The world above; confirmed unless `confirm` is False (then the selection is only proposed)."""
    operator = factories.user(tenant, Role.OPERATOR, "op@example.jp")
    call, menu = call_with_menu(tenant, budget=10_000, items=[(1, 1000), (1, 1000)])
    items = dict(zip("AB", menu))
    supported_in(tenant, factories.municipality(CODES["fukushima"]), 2023)
    supported_in(tenant, factories.municipality(CODES["aizu"]), 2023)
    apps = {}
    for key, code in CODES.items():
        a = create_application(call, factories.municipality(code), actor=None,
                               choices=[items[c] for c in CHOICES[key]], issue="課題")
        submit_application(a, actor=None)
        apps[key] = a
    advance(call, CallPhase.SELECTION)
    world = World(call, items, apps, operator)
    world.selection = propose_selection(call, actor=operator)
    if confirm:
        confirm_selection(world.selection, actor=operator)
    db.session.flush()
    return world


def users(tenant) -> None:
    """Provider staff of the menu's provider and of another, municipal staff of 白河市 and 福島市."""
    factories.user(tenant, Role.PROVIDER, "prov@example.jp", factories.provider(tenant, PROVIDER))
    factories.user(tenant, Role.PROVIDER, "other-prov@example.jp", factories.provider(tenant, "別の会員企業株式会社"))
    factories.user(tenant, Role.MUNICIPAL, "shirakawa@example.jp", factories.municipality(CODES["shirakawa"]))
    factories.user(tenant, Role.MUNICIPAL, "fukushima@example.jp", factories.municipality(CODES["fukushima"]))
