"""Limits and edits under truly concurrent writers (issue 7 §5; quality.md Reliability): threads,
each with its own app context and database session, released together by a barrier against
PostgreSQL. No quota, capacity or per-application/per-municipality limit is exceeded, and no
update is lost (constraints + row locks + version checks)."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.applications.models import Application
from app.applications.services import create_application, submit_application, update_application
from app.auth.models import Role
from app.calls.models import Call
from app.calls.states import CallPhase
from app.cases.models import Case
from app.cases.services import update_case
from app.cases.states import CaseState
from app.engagements.models import Engagement, SupportSession
from app.engagements.services import assign_engagement, log_session
from app.extensions import db
from app.menus.models import MenuItem
from app.selection.models import Allocation
from app.selection.services import adjust_allocation, propose_selection
from app.tenancy.models import Organisation
from tests import factories
from tests.applications.builders import advance, call_with_menu
from tests.cases import helpers as case_helpers
from tests.concurrency.helpers import pg_only, race
from tests.conftest import in_tenant
from tests.engagements import builders

pytestmark = pg_only
THREADS = 6


def _count(app, stmt) -> int:
    with in_tenant(app):
        return db.session.scalar(stmt)


@pytest.mark.parametrize(("rules", "minutes", "allowed"), [
    ({"max_sessions_per_engagement": 3}, 60, 3),
    ({"max_hours_per_engagement": 2}, 45, 2),  # 2 × 0.75 h fit, a third would make 2.25 h
])
def test_concurrent_session_logging_never_exceeds_the_quota(app, rules, minutes, allowed):
    with in_tenant(app) as tenant:
        tenant.rules = {**(tenant.rules or {}), **rules}
        engagement_id, tenant_id = builders.started(tenant).id, tenant.id
        db.session.commit()

    def logger(i):
        def prepare():
            engagement = db.session.get(Engagement, engagement_id)
            return lambda: log_session(engagement, actor=None, held_on=dt.date(2024, 7, 1 + i), format="onsite",
                                       duration_minutes=minutes, attendees={"担当職員": 1}, content=f"支援{i}",
                                       today=dt.date(2024, 12, 1))
        return prepare

    outcomes = race(app, tenant_id, [logger(i) for i in range(THREADS)])
    assert sorted(outcomes) == ["EngagementError"] * (THREADS - allowed) + ["ok"] * allowed
    assert _count(app, sa.select(sa.func.count(SupportSession.id)).where(SupportSession.engagement_id == engagement_id)) == allowed


def test_concurrent_assignment_creates_exactly_one_engagement_per_application(app):
    with in_tenant(app) as tenant:
        call, menu = call_with_menu(tenant)
        application = create_application(call, factories.municipality("072010"), actor=None, choices=[menu[0]], issue="課題")
        ids = {"call": call.id, "application": application.id, "item": menu[0].id, "tenant": tenant.id}
        db.session.commit()

    def assigner():
        call = db.session.get(Application, ids["application"]).call
        application = db.session.get(Application, ids["application"])
        item = db.session.get(MenuItem, ids["item"])
        return lambda: assign_engagement(call=call, application=application, menu_item=item, actor=None)

    outcomes = race(app, ids["tenant"], [assigner] * THREADS)
    assert sorted(outcomes) == ["EngagementError"] * (THREADS - 1) + ["ok"]  # refused cleanly, no IntegrityError
    assert _count(app, sa.select(sa.func.count(Engagement.id)).where(Engagement.application_id == ids["application"])) == 1


def test_concurrent_applications_of_one_municipality_respect_the_per_call_limit(app):
    with in_tenant(app) as tenant:
        call, menu = call_with_menu(tenant, max_applications_per_municipality=1)
        ids = {"call": call.id, "item": menu[0].id, "tenant": tenant.id,
               "muni": factories.municipality("072010").id}
        db.session.commit()

    def applicant():
        item = db.session.get(MenuItem, ids["item"])
        muni = db.session.get(Organisation, ids["muni"])
        call = db.session.get(Call, ids["call"])
        return lambda: create_application(call, muni, actor=None, choices=[item], issue="課題")

    outcomes = race(app, ids["tenant"], [applicant] * THREADS)
    assert sorted(outcomes) == ["ApplicationError"] * (THREADS - 1) + ["ok"]
    assert _count(app, sa.select(sa.func.count(Application.id)).where(Application.municipality_id == ids["muni"])) == 1


def _two_editors(app, tenant_id: int, load, save, values: tuple[str, str]) -> list[str]:
    """Two editors who both opened the form at the same version save different `values` at once."""
    def editor(value):
        def prepare():
            row = load()
            started_from = row.version_id
            return lambda: save(row, value, started_from)
        return prepare

    return race(app, tenant_id, [editor(v) for v in values])


def test_two_editors_of_one_case_one_saves_the_other_gets_the_conflict(app):
    with in_tenant(app) as tenant:
        case = case_helpers.case_in(tenant, CaseState.DRAFT)
        db.session.commit()
        case_id, version, tenant_id = case.id, case.version_id, tenant.id
    values = ("事例：Aさんの見出し", "事例：Bさんの見出し")
    outcomes = _two_editors(
        app, tenant_id, lambda: db.session.get(Case, case_id),
        lambda row, value, started: update_case(row, actor=None, version_id=started, title=value), values)
    assert sorted(outcomes) == ["ConflictError", "ok"]
    with in_tenant(app):
        stored = db.session.get(Case, case_id)
        assert stored.title == values[outcomes.index("ok")] and stored.version_id == version + 1  # no lost update


def test_two_editors_of_one_application_one_saves_the_other_gets_the_conflict(app):
    with in_tenant(app) as tenant:
        call, menu = call_with_menu(tenant)
        application = create_application(call, factories.municipality("072010"), actor=None, choices=[menu[0]], issue="最初")
        db.session.commit()
        ids = {"application": application.id, "version": application.version_id, "item": menu[0].id, "tenant": tenant.id}

    def save(row, value, started):
        update_application(row, actor=None, choices=[db.session.get(MenuItem, ids["item"])], version_id=started, issue=value)

    values = ("Aさんの課題", "Bさんの課題")
    outcomes = _two_editors(app, ids["tenant"], lambda: db.session.get(Application, ids["application"]), save, values)
    assert sorted(outcomes) == ["ConflictError", "ok"]
    with in_tenant(app):
        stored = db.session.get(Application, ids["application"])
        assert stored.issue == values[outcomes.index("ok")] and stored.version_id == ids["version"] + 1


def test_concurrent_allocation_never_exceeds_an_items_capacity(app):
    """Item 0 has capacity 1 and is free; every thread gives it to a different application at once."""
    codes = ("072010", "072028", "072036", "072044", "072052")
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        call, menu = call_with_menu(tenant, budget=100_000, items=[(1, 1000), (10, 1000)])
        for code in codes:
            a = create_application(call, factories.municipality(code), actor=None, choices=[menu[1], menu[0]], issue="課題")
            submit_application(a, actor=None)
        advance(call, CallPhase.SELECTION)
        propose_selection(call, actor=None)  # everyone gets item 1 (first choice, ample capacity)
        allocation_ids = list(db.session.scalars(sa.select(Allocation.id).order_by(Allocation.id)))
        item_0, tenant_id = menu[0].id, tenant.id
        db.session.commit()
    assert _count(app, sa.select(sa.func.count(Allocation.id)).where(Allocation.menu_item_id == item_0)) == 0

    def taker(allocation_id):
        def prepare():
            allocation = db.session.get(Allocation, allocation_id)
            item = db.session.get(MenuItem, item_0)
            return lambda: adjust_allocation(allocation, actor=None, menu_item=item, is_pinned=False, is_excluded=False)
        return prepare

    outcomes = race(app, tenant_id, [taker(a) for a in allocation_ids])
    assert sorted(outcomes) == ["SelectionError"] * (len(codes) - 1) + ["ok"]
    assert _count(app, sa.select(sa.func.count(Allocation.id)).where(Allocation.menu_item_id == item_0)) == 1
