"""Selection services: proposal over the database, adjustments, confirmation."""
import pytest
import sqlalchemy as sa

from app.applications.services import create_application, submit_application
from app.applications.states import ApplicationState
from app.auth.models import Role
from app.calls.states import CallPhase
from app.core.audit import AuditEvent
from app.engagements.models import Engagement
from app.extensions import db
from app.selection import proposal
from app.selection.queries import selection_totals
from app.selection.services import SelectionError, adjust_allocation, confirm_selection, propose_selection
from app.selection.states import SelectionState
from tests import factories
from tests.applications.builders import advance, call_with_menu, supported_in
from tests.conftest import in_tenant

CODES = ["072010", "072028", "072036", "072044"]  # 福島市, 会津若松市, 郡山市, いわき市


@pytest.fixture
def world(app):
    """A call with menu [cap 1, cost 1000], [cap 2, cost 1000], budget 2500; four submitted
    applications (first choices all item 0, then item 1); 福島市 and 会津若松市 supported in FY2023."""
    with in_tenant(app) as tenant:
        operator = factories.user(tenant, Role.OPERATOR, "op@example.jp")
        call, menu = call_with_menu(tenant, budget=2500, items=[(1, 1000), (2, 1000)])
        munis = [factories.municipality(c) for c in CODES]
        supported_in(tenant, munis[0], 2023)
        supported_in(tenant, munis[1], 2023)
        apps = []
        for m in munis:
            a = create_application(call, m, actor=None, choices=[menu[0], menu[1]], issue="課題")
            submit_application(a, actor=None)
            apps.append(a)
        create_application(call, factories.municipality("073229"), actor=None, choices=[menu[0]], issue="下書きのまま")
        advance(call, CallPhase.SELECTION)
        yield tenant, call, menu, munis, apps, operator


def _by_app(selection):
    return {a.application_id: a for a in selection.allocations}


def test_propose_serves_priority_first_within_capacity_and_budget(world):
    tenant, call, menu, munis, apps, operator = world
    selection = propose_selection(call, actor=operator)
    alloc = _by_app(selection)
    assert set(alloc) == {a.id for a in apps}  # the draft takes no part
    # 郡山市 and いわき市 have priority; 郡山市 submitted first -> item 0, いわき市 -> item 1; budget 2500 allows 2 only
    assert alloc[apps[2].id].menu_item_id == menu[0].id and alloc[apps[2].id].is_priority
    assert alloc[apps[3].id].menu_item_id == menu[1].id
    assert alloc[apps[0].id].menu_item_id is None and alloc[apps[0].id].reason == proposal.OVER_BUDGET
    assert alloc[apps[2].id].reason.startswith("選定：過去2年間支援なし（優先）・支援実績なし・第1希望")
    totals = selection_totals(tenant, call, selection)
    assert totals == {"selected": 2, "municipalities": 2, "priority_served": 2, "priority_applicants": 2,
                      "cost": 2000, "budget": 2500, "remaining": 500}


def test_propose_refused_outside_selection_phase(app):
    with in_tenant(app) as tenant:
        call, _menu = call_with_menu(tenant)
        with pytest.raises(SelectionError, match="選定・決定"):
            propose_selection(call, actor=None)


def test_rerun_keeps_pinned_and_excluded(world):
    tenant, call, menu, munis, apps, operator = world
    selection = propose_selection(call, actor=operator)
    alloc = _by_app(selection)
    adjust_allocation(alloc[apps[2].id], actor=operator, menu_item=None, is_pinned=False, is_excluded=True)
    adjust_allocation(alloc[apps[0].id], actor=operator, menu_item=menu[0], is_pinned=True, is_excluded=False)
    propose_selection(call, actor=operator)
    assert alloc[apps[0].id].menu_item_id == menu[0].id and alloc[apps[0].id].is_pinned
    assert alloc[apps[2].id].menu_item_id is None and alloc[apps[2].id].reason == proposal.EXCLUDED
    assert alloc[apps[3].id].menu_item_id == menu[1].id  # priority, item 0 taken by the pin
    assert alloc[apps[1].id].menu_item_id is None


def test_adjust_validates_and_changes_nothing_on_error(world):
    tenant, call, menu, munis, apps, operator = world
    selection = propose_selection(call, actor=operator)
    alloc = _by_app(selection)
    loser = alloc[apps[0].id]
    before = (loser.menu_item_id, loser.reason, loser.is_pinned)
    with pytest.raises(SelectionError, match="受入枠"):
        adjust_allocation(loser, actor=operator, menu_item=menu[0], is_pinned=False, is_excluded=False)
    with pytest.raises(SelectionError, match="予算"):
        adjust_allocation(loser, actor=operator, menu_item=menu[1], is_pinned=False, is_excluded=False)
    with pytest.raises(SelectionError, match="同時"):
        adjust_allocation(loser, actor=operator, menu_item=None, is_pinned=True, is_excluded=True)
    other_call, other_menu = call_with_menu(tenant, fiscal_year=2026, phase=CallPhase.DRAFT)
    with pytest.raises(SelectionError, match="希望にない"):
        adjust_allocation(loser, actor=operator, menu_item=other_menu[0], is_pinned=False, is_excluded=False)
    assert (loser.menu_item_id, loser.reason, loser.is_pinned) == before


def test_municipality_cap_in_proposal_and_adjustment(app):
    with in_tenant(app) as tenant:
        call, menu = call_with_menu(tenant, budget=10_000, items=[(5, 100), (5, 100)], max_applications_per_municipality=2,
                                    max_engagements_first_pass=1, max_engagements_per_municipality=1)
        koriyama = factories.municipality("072036")
        apps = [create_application(call, koriyama, actor=None, choices=[menu[i]], issue="課題") for i in (0, 1)]
        for a in apps:
            submit_application(a, actor=None)
        advance(call, CallPhase.SELECTION)
        alloc = _by_app(propose_selection(call, actor=None))
        assert alloc[apps[0].id].menu_item_id == menu[0].id
        assert alloc[apps[1].id].menu_item_id is None and alloc[apps[1].id].reason == proposal.MUNICIPALITY_CAP
        with pytest.raises(SelectionError, match="1市町村あたりの上限"):
            adjust_allocation(alloc[apps[1].id], actor=None, menu_item=menu[1], is_pinned=False, is_excluded=False)
        adjust_allocation(alloc[apps[0].id], actor=None, menu_item=None, is_pinned=False, is_excluded=False)
        adjust_allocation(alloc[apps[1].id], actor=None, menu_item=menu[1], is_pinned=True, is_excluded=False)
        assert alloc[apps[1].id].reason == "選定：事務局が調整・第1希望" and alloc[apps[1].id].pass_no is None


def test_adjust_is_audited_with_the_actor(world):
    tenant, call, menu, munis, apps, operator = world
    selection = propose_selection(call, actor=operator)
    target = _by_app(selection)[apps[2].id]
    adjust_allocation(target, actor=operator, menu_item=None, is_pinned=True, is_excluded=False)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "allocation.adjust"))
    assert event.actor_id == operator.id and event.target_id == target.id
    assert event.changes["before"]["menu_item_id"] == menu[0].id and event.changes["after"]["menu_item_id"] is None
    assert target.reason == "非選定：事務局が調整"


def test_confirm_decides_every_application_and_creates_one_engagement_each(world):
    tenant, call, menu, munis, apps, operator = world
    selection = propose_selection(call, actor=operator)
    engagements = confirm_selection(selection, actor=operator)
    assert sorted(e.application_id for e in engagements) == sorted([apps[2].id, apps[3].id])
    assert {e.provider_id for e in engagements} == {menu[0].provider_id}
    assert selection.state == SelectionState.CONFIRMED
    assert selection.confirmed_by_id == operator.id and selection.confirmed_at is not None
    states = {a.id: a.state for a in apps}
    assert states == {apps[0].id: ApplicationState.NOT_SELECTED, apps[1].id: ApplicationState.NOT_SELECTED,
                      apps[2].id: ApplicationState.SELECTED, apps[3].id: ApplicationState.SELECTED}
    assert all(a.decided_at for a in apps)
    with pytest.raises(SelectionError, match="確定済み"):
        confirm_selection(selection, actor=operator)
    with pytest.raises(SelectionError, match="確定済み"):
        propose_selection(call, actor=operator)
    with pytest.raises(SelectionError, match="確定済み"):
        adjust_allocation(selection.allocations[0], actor=operator, menu_item=None, is_pinned=False, is_excluded=False)
    count = db.session.scalar(sa.select(sa.func.count(Engagement.id)).where(Engagement.call_id == call.id))
    assert count == 2


def test_confirm_needs_a_proposal_and_the_selection_phase(world):
    tenant, call, menu, munis, apps, operator = world
    selection = propose_selection(call, actor=operator)
    selection.proposed_at = None
    with pytest.raises(SelectionError, match="選定案を作成"):
        confirm_selection(selection, actor=operator)


def test_support_cannot_start_before_the_selection_is_confirmed(world):
    from app.calls.services import CallError, transition_call

    tenant, call, menu, munis, apps, operator = world
    with pytest.raises(CallError, match="選定を確定"):
        transition_call(call, CallPhase.SUPPORT, actor=operator)
    confirm_selection(propose_selection(call, actor=operator), actor=operator)
    transition_call(call, CallPhase.SUPPORT, actor=operator)
    assert call.phase == CallPhase.SUPPORT
