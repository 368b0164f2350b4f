"""Menu services: every proposal edge allowed and refused, phase checks, adoption, publication,
freezing and the phase guard that keeps applications closed until the menu is published."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.calls.services import CallError, transition_call
from app.calls.states import CallPhase
from app.core.audit import AuditEvent, history_for
from app.core.states import TransitionError
from app.extensions import db
from app.menus import services
from app.menus.models import MenuItem
from app.menus.queries import published_menu
from app.menus.services import MenuError
from app.menus.states import ProposalState
from tests import factories
from tests.conftest import in_tenant
from tests.menus.builders import call_in, fields, proposal


def test_propose_creates_a_draft_with_history(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        item = proposal(call, factories.provider(t), submit=False, regions_served=["会津", "県北"], categories=["SEC", "PRIV"])
        assert item.state == ProposalState.DRAFT
        assert (item.regions_served, item.categories, item.capacity) == (["会津", "県北"], ["SEC", "PRIV"], 3)
        assert [h.to_state for h in history_for("menu_proposal", item.id)] == ["draft"]


@pytest.mark.parametrize("phase", [CallPhase.DRAFT, CallPhase.MENU_REVIEW])
def test_propose_refused_outside_proposals_phase(app, phase):
    with in_tenant(app) as t:
        call = call_in(t, phase)
        with pytest.raises(MenuError, match="受け付けていません"):
            services.propose_menu_item(call, factories.provider(t), actor=None, **fields())


@pytest.mark.parametrize("overrides, message", [
    ({"title": " "}, "件名"),
    ({"title": "あ" * 201}, "件名"),
    ({"categories": []}, "分類"),
    ({"categories": ["NOPE"]}, "分類"),
    ({"regions_served": ["北海道"]}, "対応地域"),
    ({"description": ""}, "内容"),
    ({"capacity": 0}, "市町村数"),
    ({"unit_cost_thousand_yen": -1}, "費用"),
])
def test_propose_refuses_bad_fields(app, overrides, message):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        with pytest.raises(MenuError, match=message):
            services.propose_menu_item(call, factories.provider(t), actor=None, **fields(**overrides))


def test_only_provider_organisations_propose(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        with pytest.raises(MenuError, match="会員企業"):
            services.propose_menu_item(call, factories.municipality("072010"), actor=None, **fields())


def test_update_draft_and_refusals(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        item = proposal(call, factories.provider(t), submit=False)
        services.update_proposal(item, actor=None, title="ＲＰＡ実証確認", capacity=5)
        assert (item.title, item.capacity, item.categories) == ("ＲＰＡ実証確認", 5, ["SEC"])
        with pytest.raises(MenuError, match="市町村数"):
            services.update_proposal(item, actor=None, capacity=0)
        services.submit_proposal(item, actor=None)
        with pytest.raises(MenuError, match="提出済み"):
            services.update_proposal(item, actor=None, title="別の件名")


def test_update_refused_after_proposals_phase(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        item = proposal(call, factories.provider(t), submit=False)
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        with pytest.raises(MenuError, match="受付期間"):
            services.update_proposal(item, actor=None, title="別の件名")


def test_submit_and_withdraw_edges(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        item = proposal(call, factories.provider(t), submit=False)
        services.submit_proposal(item, actor=None)
        assert item.state == ProposalState.SUBMITTED and item.submitted_at is not None
        with pytest.raises(TransitionError):
            services.submit_proposal(item, actor=None)
        services.withdraw_proposal(item, actor=None)
        assert item.state == ProposalState.DRAFT
        with pytest.raises(TransitionError):
            services.withdraw_proposal(item, actor=None)


def test_submit_and_withdraw_refused_outside_proposals_phase(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        draft = proposal(call, factories.provider(t), submit=False)
        submitted = proposal(call, factories.provider(t))
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        with pytest.raises(MenuError):
            services.submit_proposal(draft, actor=None)
        with pytest.raises(MenuError):
            services.withdraw_proposal(submitted, actor=None)
        assert (draft.state, submitted.state) == (ProposalState.DRAFT, ProposalState.SUBMITTED)


def test_adopt_copies_fields_into_an_unnumbered_item(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        item = proposal(call, factories.provider(t), is_sample=True, regions_served=["いわき"])
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        menu_item = services.decide_proposal(item, actor=None, adopt=True, reason="ニーズが高い")
        assert item.state == ProposalState.ADOPTED and item.decided_at is not None
        assert menu_item.number is None and menu_item.proposal_id == item.id
        for name in services.COPIED_FIELDS:
            assert getattr(menu_item, name) == getattr(item, name)
        assert menu_item.is_sample is True


def test_reject_needs_a_reason_and_keeps_it(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        item = proposal(call, factories.provider(t))
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        with pytest.raises(MenuError, match="理由"):
            services.decide_proposal(item, actor=None, adopt=False, reason="  ")
        assert services.decide_proposal(item, actor=None, adopt=False, reason="他の項目と重複") is None
        assert (item.state, item.decision_reason) == (ProposalState.REJECTED, "他の項目と重複")
        assert db.session.scalar(sa.select(sa.func.count(MenuItem.id))) == 0


def test_decide_refused_for_drafts_twice_and_outside_review(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        draft = proposal(call, factories.provider(t), submit=False)
        submitted = proposal(call, factories.provider(t))
        with pytest.raises(MenuError, match="審査・選定"):
            services.decide_proposal(submitted, actor=None, adopt=True, reason="")
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        with pytest.raises(TransitionError):
            services.decide_proposal(draft, actor=None, adopt=True, reason="")
        services.decide_proposal(submitted, actor=None, adopt=True, reason="")
        with pytest.raises(TransitionError):
            services.decide_proposal(submitted, actor=None, adopt=False, reason="やはり不採択")


def test_undo_returns_to_submitted_and_deletes_the_item(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        adopted, rejected = proposal(call, factories.provider(t)), proposal(call, factories.provider(t))
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        services.decide_proposal(adopted, actor=None, adopt=True, reason="")
        services.decide_proposal(rejected, actor=None, adopt=False, reason="重複")
        services.undo_decision(adopted, actor=None)
        services.undo_decision(rejected, actor=None)
        assert adopted.state == rejected.state == ProposalState.SUBMITTED
        assert rejected.decision_reason == "" and rejected.decided_at is None
        assert db.session.scalar(sa.select(sa.func.count(MenuItem.id))) == 0
        with pytest.raises(MenuError, match="採否が決定していない"):
            services.undo_decision(adopted, actor=None)


def test_undo_never_submits_a_draft(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        draft = proposal(call, factories.provider(t), submit=False)
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        with pytest.raises(MenuError):
            services.undo_decision(draft, actor=None)
        assert draft.state == ProposalState.DRAFT


def test_publish_numbers_in_adoption_order_and_freezes(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        first, second, third = (proposal(call, factories.provider(t), title=title) for title in ("Ａ", "Ｂ", "Ｃ"))
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        for item in (third, first):  # adoption order decides the numbers
            services.decide_proposal(item, actor=None, adopt=True, reason="")
        items = services.publish_menu(call, actor=None)
        assert [(i.number, i.title) for i in items] == [(1, "Ｃ"), (2, "Ａ")]
        assert call.menu_published_at is not None
        assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "menu.publish")).changes == {"items": 2}
        assert [i.title for i in published_menu(t, call)] == ["Ｃ", "Ａ"]
        with pytest.raises(MenuError, match="公開済み"):
            services.decide_proposal(second, actor=None, adopt=True, reason="")
        with pytest.raises(MenuError, match="公開済み"):
            services.undo_decision(first, actor=None)
        with pytest.raises(MenuError, match="既に公開"):
            services.publish_menu(call, actor=None)


def test_publish_refused_without_adopted_items_or_outside_review(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        item = proposal(call, factories.provider(t))
        with pytest.raises(MenuError, match="審査・選定"):
            services.publish_menu(call, actor=None)
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        services.decide_proposal(item, actor=None, adopt=False, reason="重複")
        with pytest.raises(MenuError, match="採択された提案がない"):
            services.publish_menu(call, actor=None)
        assert call.menu_published_at is None and published_menu(t, call) == []


def test_applications_open_only_after_publication(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        item = proposal(call, factories.provider(t))
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        with pytest.raises(CallError, match="支援メニューを公開してから申込受付を開始してください。"):
            transition_call(call, CallPhase.APPLICATIONS, actor=None)
        assert call.phase == CallPhase.MENU_REVIEW
        services.decide_proposal(item, actor=None, adopt=True, reason="")
        services.publish_menu(call, actor=None)
        transition_call(call, CallPhase.APPLICATIONS, actor=None)
        assert call.phase == CallPhase.APPLICATIONS
