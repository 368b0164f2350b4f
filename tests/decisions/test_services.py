"""Decisions: decline frees capacity, the waitlist proposes the next best, promotion keeps every
rule, notices are issued per recipient."""
import datetime as dt

import pytest
import sqlalchemy as sa

from app.applications.states import ApplicationState
from app.core.audit import AuditEvent
from app.core.clock import today_jst
from app.core.states import TransitionError
from app.coverage.queries import support_years
from app.decisions import waitlist as wl
from app.decisions.models import DecisionNotice
from app.decisions.services import DecisionError, decline_assignment, issue_decision_notices, promote_application
from app.decisions.states import NoticeKind, NoticeOccasion
from app.engagements.services import EngagementError, accept_engagement
from app.engagements.states import COUNTED, EngagementState
from app.extensions import db
from app.relationships.services import declare_relationship
from app.selection.models import Allocation
from tests import factories
from tests.conftest import in_tenant
from tests.decisions.builders import build

PRIORITY_2ND = "過去2年間支援なし（優先）・支援実績なし・第2希望"


@pytest.fixture
def world(app):
    with in_tenant(app) as tenant:
        yield tenant, build(tenant)


def _allocation(application):
    return db.session.scalar(sa.select(Allocation).where(Allocation.application_id == application.id))


def test_waitlist_is_the_non_selected_in_rule_order(world):
    tenant, w = world
    entries = wl.waitlist(tenant, w.call)
    assert [e.application.id for e in entries] == [w.apps[k].id for k in ("shirakawa", "fukushima", "aizu")]
    assert [e.position for e in entries] == [1, 2, 3] and entries[0].is_priority and not entries[1].is_priority
    assert wl.open_slots(tenant, w.call) == []  # A and B are full


def test_decline_frees_capacity_and_proposes_the_next_best(world):
    tenant, w = world
    engagement = w.engagement_of("koriyama")
    proposals = decline_assignment(engagement, actor=None, reason="当該時期に担当者を確保できないため")
    assert engagement.state == EngagementState.DECLINED and engagement.state not in COUNTED
    assert engagement.decline_reason == "当該時期に担当者を確保できないため"
    # 白河市 (priority, 2nd choice) before 福島市 and 会津若松市 (1st choice, not priority)
    assert [p.entry.application.id for p in proposals] == [w.apps[k].id for k in ("shirakawa", "fukushima", "aizu")]
    assert proposals[0].reason == f"繰上げ候補：{PRIORITY_2ND}"
    assert proposals[1].reason == "繰上げ候補：第1希望"
    allocation = _allocation(w.apps["koriyama"])
    assert allocation.menu_item_id is None and allocation.reason.startswith("辞退：No.1")
    [slot] = wl.open_slots(tenant, w.call)
    assert slot.item.id == w.items["A"].id and slot.free == 1 and slot.declined == [engagement]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "engagement.decline"))
    assert event.changes["next"][0] == w.apps["shirakawa"].id


def test_better_rank_beats_earlier_submission_among_equals(world):
    tenant, w = world
    decline_assignment(w.engagement_of("iwaki"), actor=None, reason="辞退します")
    proposals = wl.proposals_for(tenant, w.call, w.items["B"])
    # 白河市 (priority) first; 福島市 chose B 2nd, 会津若松市 did not choose B
    assert [p.entry.application.id for p in proposals] == [w.apps["shirakawa"].id, w.apps["fukushima"].id]
    assert proposals[1].reason == "繰上げ候補：第2希望"


def test_a_declined_engagement_does_not_count_for_coverage(world):
    tenant, w = world
    koriyama = w.apps["koriyama"].municipality_id
    assert 2024 in support_years(tenant)[koriyama]
    decline_assignment(w.engagement_of("koriyama"), actor=None, reason="辞退します")
    assert 2024 not in support_years(tenant).get(koriyama, set())


def test_decline_needs_a_reason_and_an_assigned_engagement(world):
    _tenant, w = world
    with pytest.raises(EngagementError, match="辞退の理由"):
        decline_assignment(w.engagement_of("koriyama"), actor=None, reason="  ")
    accepted = w.engagement_of("iwaki")
    accept_engagement(accepted, actor=None)
    with pytest.raises(TransitionError):
        decline_assignment(accepted, actor=None, reason="辞退します")


def test_promotion_selects_assigns_and_records_the_reason(world):
    tenant, w = world
    decline_assignment(w.engagement_of("koriyama"), actor=None, reason="辞退します")
    shirakawa = w.apps["shirakawa"]
    engagement = promote_application(w.call, shirakawa, w.items["A"], actor=w.operator)
    assert shirakawa.state == ApplicationState.SELECTED
    assert engagement.state == EngagementState.ASSIGNED and engagement.menu_item_id == w.items["A"].id
    allocation = _allocation(shirakawa)
    assert allocation.menu_item_id == w.items["A"].id and allocation.choice_rank == 2
    assert allocation.reason == f"選定（繰上げ）：{PRIORITY_2ND}"
    notices = db.session.scalars(sa.select(DecisionNotice).where(DecisionNotice.occasion == NoticeOccasion.PROMOTION)).all()
    assert {(n.kind, n.recipient_id) for n in notices} == {
        (NoticeKind.MUNICIPALITY, shirakawa.municipality_id), (NoticeKind.PROVIDER, w.items["A"].provider_id)}
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "application.promote")).actor_id == w.operator.id
    assert [e.application.id for e in wl.waitlist(tenant, w.call)] == [w.apps["fukushima"].id, w.apps["aizu"].id]


def test_promotion_never_exceeds_capacity(world):
    _tenant, w = world
    with pytest.raises(DecisionError, match="受入枠"):
        promote_application(w.call, w.apps["fukushima"], w.items["A"], actor=w.operator)
    decline_assignment(w.engagement_of("koriyama"), actor=None, reason="辞退します")
    promote_application(w.call, w.apps["shirakawa"], w.items["A"], actor=w.operator)
    with pytest.raises(DecisionError, match="受入枠"):
        promote_application(w.call, w.apps["fukushima"], w.items["A"], actor=w.operator)
    assert w.apps["fukushima"].state == ApplicationState.NOT_SELECTED


def test_promotion_never_exceeds_the_budget(world):
    tenant, w = world
    decline_assignment(w.engagement_of("koriyama"), actor=None, reason="辞退します")
    w.call.budget_thousand_yen = 1500  # 1,000 used by いわき市; A costs 1,000
    assert wl.budget_left(tenant, w.call) == 500
    assert wl.proposals_for(tenant, w.call, w.items["A"]) == []
    with pytest.raises(DecisionError, match="予算（1,500千円）を超える"):
        promote_application(w.call, w.apps["shirakawa"], w.items["A"], actor=w.operator)
    assert w.apps["shirakawa"].state == ApplicationState.NOT_SELECTED


def test_promotion_refuses_other_cases(world):
    tenant, w = world
    decline_assignment(w.engagement_of("koriyama"), actor=None, reason="辞退します")
    with pytest.raises(DecisionError, match="非選定の申込だけ"):
        promote_application(w.call, w.apps["iwaki"], w.items["A"], actor=w.operator)
    with pytest.raises(DecisionError, match="希望にない"):
        promote_application(w.call, w.apps["aizu"], w.items["B"], actor=w.operator)
    provider = factories.provider(tenant, "テスト情報システム株式会社")
    declare_relationship(tenant, provider=provider, municipality=w.apps["shirakawa"].municipality, actor=None,
                         kind="incumbent_vendor", reason="現行の基幹系システムを受託")
    assert w.apps["shirakawa"].id not in [p.entry.application.id for p in wl.proposals_for(tenant, w.call, w.items["A"])]
    with pytest.raises(DecisionError, match="利害関係"):
        promote_application(w.call, w.apps["shirakawa"], w.items["A"], actor=w.operator)


def test_promotion_needs_a_confirmed_selection(app):
    with in_tenant(app) as tenant:
        w = build(tenant, confirm=False)
        with pytest.raises(DecisionError, match="確定後"):
            promote_application(w.call, w.apps["shirakawa"], w.items["A"], actor=w.operator)


def test_confirming_issues_notices_per_municipality_and_provider(world):
    _tenant, w = world
    notices = db.session.scalars(sa.select(DecisionNotice).order_by(DecisionNotice.id)).all()  # issued by confirm
    municipal = {n.recipient_id: n for n in notices if n.kind == NoticeKind.MUNICIPALITY}
    assert set(municipal) == {a.municipality_id for a in w.apps.values()}
    assert all(n.title == "令和6年度 ICTアドバイザー市町村派遣事業 決定通知書" for n in notices)
    [line] = municipal[w.apps["koriyama"].municipality_id].lines
    assert line["outcome"] == "selected" and line["menu_item"].startswith("No.1") and line["reason"].startswith("選定：")
    assert line["provider"] == "テスト情報システム株式会社"
    [line] = municipal[w.apps["shirakawa"].municipality_id].lines
    assert line["outcome"] == "not_selected" and line["waitlist_position"] == 1 and line["reason"].startswith("非選定")
    [provider] = [n for n in notices if n.kind == NoticeKind.PROVIDER]
    assert len(provider.lines) == 2 and provider.respond_by == today_jst() + dt.timedelta(days=14)
    assert all(n.read_at is None for n in notices)
    with pytest.raises(DecisionError, match="発行済み"):
        issue_decision_notices(w.selection, actor=w.operator)


def test_notices_need_a_confirmed_selection(app):
    with in_tenant(app) as tenant:
        w = build(tenant, confirm=False)
        with pytest.raises(DecisionError):
            issue_decision_notices(w.selection, actor=w.operator)
