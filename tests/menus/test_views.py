"""Menu pages as providers and operators use them: proposals, ownership, decisions, publication."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calls.models import Call
from app.calls.services import transition_call
from app.calls.states import CallPhase
from app.extensions import db
from app.menus.models import MenuItem, MenuProposal
from app.menus.services import decide_proposal
from app.menus.states import ProposalState
from app.reviews.services import declare_conflict, score_proposal
from tests import factories
from tests.conftest import in_tenant, login
from tests.menus.builders import call_in, proposal, provider_user

T = "/t/fukushima"
FORM = {
    "title": "ＲＰＡ実証確認", "categories": ["RPA", "BPR"], "description": "定型業務にRPAを試行します。",
    "deliverables": "効果検証報告書", "format": "online", "regions_served": ["会津"], "capacity": "4",
    "unit_cost_thousand_yen": "1200",
}


def _proposal_in(app, phase=CallPhase.PROPOSALS, state=ProposalState.SUBMITTED, company="テスト情報システム株式会社") -> int:
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        item = proposal(call, factories.provider(t, company), submit=state != ProposalState.DRAFT)
        if phase == CallPhase.MENU_REVIEW:
            transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        db.session.commit()
        return item.id


def _users(app):
    with in_tenant(app) as t:
        provider_user(t, "p@example.jp")
        provider_user(t, "other@example.jp", name="別会社株式会社")
        factories.user(t, Role.OPERATOR, "op@example.jp")
        factories.user(t, Role.REVIEWER, "rev@example.jp")
        factories.user(t, Role.MUNICIPAL, "muni@example.jp", organisation=factories.municipality("072010"))
        db.session.commit()


def test_anonymous_is_sent_to_login(client):
    response = client.get(f"{T}/proposals")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_new_proposal_closed_when_no_call_accepts_proposals(app, client):
    _users(app)
    login(client, "p@example.jp")
    assert "現在、支援メニューの提案は受け付けていません" in client.get(f"{T}/proposals/new").get_data(as_text=True)
    response = client.post(f"{T}/proposals/new", data=FORM)
    assert response.status_code == 400 and "受け付けていません" in response.get_data(as_text=True)


def test_provider_proposes_edits_and_submits(app, client):
    _users(app)
    with in_tenant(app) as t:
        call_in(t, CallPhase.PROPOSALS)
        db.session.commit()
    login(client, "p@example.jp")
    page = client.get(f"{T}/proposals/new").get_data(as_text=True)
    assert "RPA" in page and "いわき" in page
    response = client.post(f"{T}/proposals/new", data=FORM)
    assert response.status_code == 302
    with in_tenant(app):
        item = db.session.scalar(sa.select(MenuProposal))
        assert (item.title, item.categories, item.regions_served, item.capacity) == ("ＲＰＡ実証確認", ["RPA", "BPR"], ["会津"], 4)
        proposal_id = item.id
    edit = client.get(f"{T}/proposals/{proposal_id}/edit").get_data(as_text=True)
    assert "ＲＰＡ実証確認" in edit
    assert client.post(f"{T}/proposals/{proposal_id}/edit", data=FORM | {"title": "ＲＰＡ導入支援"}).status_code == 302
    assert client.post(f"{T}/proposals/{proposal_id}/submit").status_code == 302
    detail = client.get(f"{T}/proposals/{proposal_id}").get_data(as_text=True)
    assert "ＲＰＡ導入支援" in detail and "提出済" in detail
    assert "ＲＰＡ導入支援" in client.get(f"{T}/proposals").get_data(as_text=True)
    follow = client.get(f"{T}/proposals/{proposal_id}/edit", follow_redirects=True).get_data(as_text=True)
    assert "この提案は現在変更できません" in follow
    assert client.post(f"{T}/proposals/{proposal_id}/withdraw").status_code == 302
    with in_tenant(app):
        assert db.session.get(MenuProposal, proposal_id).state == ProposalState.DRAFT


@pytest.mark.parametrize("change, message", [
    ({"title": ""}, "件名を入力してください。"),
    ({"categories": []}, "分類を1つ以上選んでください。"),
    ({"capacity": "0"}, "1以上1000以下の整数で入力してください。"),
    ({"capacity": "abc"}, "対応可能な市町村数"),
    ({"unit_cost_thousand_yen": "-5"}, "0以上の整数（千円）で入力してください。"),
    ({"categories": ["NOPE"]}, "分類は一覧から選んでください。"),
    ({"format": "teleport"}, "実施形態は一覧から選んでください。"),
])
def test_bad_input_is_400_with_japanese_message(app, client, change, message):
    _users(app)
    with in_tenant(app) as t:
        call_in(t, CallPhase.PROPOSALS)
        db.session.commit()
    login(client, "p@example.jp")
    response = client.post(f"{T}/proposals/new", data=FORM | change)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count(MenuProposal.id))) == 0


def test_submit_refused_after_proposals_phase(app, client):
    _users(app)
    proposal_id = _proposal_in(app, phase=CallPhase.MENU_REVIEW, state=ProposalState.DRAFT)
    login(client, "p@example.jp")
    response = client.post(f"{T}/proposals/{proposal_id}/submit")
    assert response.status_code == 400 and "受付期間が終了" in response.get_data(as_text=True)


def test_submit_twice_is_a_conflict(app, client):
    _users(app)
    proposal_id = _proposal_in(app)
    login(client, "p@example.jp")
    assert client.post(f"{T}/proposals/{proposal_id}/submit").status_code == 409


@pytest.mark.parametrize("email", ["other@example.jp", "rev@example.jp", "muni@example.jp"])
@pytest.mark.parametrize("method, path", [
    ("get", "/proposals/{id}"), ("get", "/proposals/{id}/edit"), ("post", "/proposals/{id}/edit"),
    ("post", "/proposals/{id}/submit"), ("post", "/proposals/{id}/withdraw"),
])
def test_others_get_404(app, client, email, method, path):
    _users(app)
    proposal_id = _proposal_in(app, state=ProposalState.DRAFT)
    login(client, email)
    assert getattr(client, method)(T + path.format(id=proposal_id)).status_code == 404


def test_operator_sees_any_proposal_but_cannot_edit(app, client):
    _users(app)
    proposal_id = _proposal_in(app)
    login(client, "op@example.jp")
    assert "情報セキュリティポリシー見直し" in client.get(f"{T}/proposals/{proposal_id}").get_data(as_text=True)
    assert client.get(f"{T}/proposals/{proposal_id}/edit").status_code == 404
    assert client.get(f"{T}/proposals").status_code == 404


def _review_setup(app) -> tuple[int, list[int]]:
    """A call in MENU_REVIEW with three submitted proposals and a draft; scores 6 and 14."""
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        low = proposal(call, factories.provider(t, "Ａ社"), title="低評価の提案")
        high = proposal(call, factories.provider(t, "Ｂ社"), title="高評価の提案")
        unscored = proposal(call, factories.provider(t, "Ｃ社"), title="未採点の提案")
        proposal(call, factories.provider(t, "Ｄ社"), title="下書きの提案", submit=False)
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        reviewer = factories.user(t, Role.REVIEWER, "rev2@example.jp")
        why = {"necessity": "理由", "feasibility": "理由", "cost": "理由"}
        for item in (low, high):
            declare_conflict(item, reviewer, has_conflict=False)
        score_proposal(low, reviewer, scores={"necessity": 2, "feasibility": 2, "cost": 2}, justifications=why)
        score_proposal(high, reviewer, scores={"necessity": 5, "feasibility": 4, "cost": 5}, justifications=why)
        db.session.commit()
        return call.id, [low.id, high.id, unscored.id]


def test_call_proposals_lists_scores_and_sorts(app, client):
    _users(app)
    call_id, _ids = _review_setup(app)
    login(client, "op@example.jp")
    page = client.get(f"{T}/calls/{call_id}/proposals?sort=score").get_data(as_text=True)
    assert "下書きの提案" not in page
    assert page.index("高評価の提案") < page.index("低評価の提案") < page.index("未採点の提案")
    assert "14.0" in page and "6.0" in page
    by_provider = client.get(f"{T}/calls/{call_id}/proposals?sort=provider").get_data(as_text=True)
    assert by_provider.index("低評価の提案") < by_provider.index("高評価の提案") < by_provider.index("未採点の提案")


def test_operator_decides_undoes_and_publishes(app, client):
    _users(app)
    call_id, (low, high, unscored) = _review_setup(app)
    login(client, "op@example.jp")
    response = client.post(f"{T}/proposals/{low}/decide", data={"decision": "reject", "reason": ""})
    assert response.status_code == 400 and "不採択の理由を入力してください。" in response.get_data(as_text=True)
    assert client.post(f"{T}/proposals/{low}/decide", data={"decision": "bogus"}).status_code == 400
    assert client.post(f"{T}/proposals/{low}/decide", data={"decision": "reject", "reason": "既存項目と重複"}).status_code == 302
    assert client.post(f"{T}/proposals/{unscored}/decide", data={"decision": "adopt"}).status_code == 302
    assert client.post(f"{T}/proposals/{high}/decide", data={"decision": "adopt"}).status_code == 302
    assert client.post(f"{T}/proposals/{unscored}/decide", data={"decision": "undo"}).status_code == 302
    assert client.post(f"{T}/proposals/{unscored}/decide", data={"decision": "adopt"}).status_code == 302
    page = client.get(f"{T}/calls/{call_id}/proposals").get_data(as_text=True)
    assert "採択した2項目を番号付けして公開する" in page
    assert client.post(f"{T}/calls/{call_id}/menu/publish").status_code == 302
    with in_tenant(app):
        items = db.session.scalars(sa.select(MenuItem).order_by(MenuItem.number)).all()
        assert [(i.number, i.proposal_id) for i in items] == [(1, high), (2, unscored)]
    published = client.get(f"{T}/calls/{call_id}/proposals").get_data(as_text=True)
    assert "支援メニューは公開済みです（2項目）" in published
    again = client.post(f"{T}/calls/{call_id}/menu/publish")
    assert again.status_code == 400 and "支援メニューは既に公開されています。" in again.get_data(as_text=True)
    frozen = client.post(f"{T}/proposals/{high}/decide", data={"decision": "undo"})
    assert frozen.status_code == 400 and "公開済みのため" in frozen.get_data(as_text=True)


def test_rejection_reason_is_shown_to_the_provider(app, client):
    _users(app)
    proposal_id = _proposal_in(app, phase=CallPhase.MENU_REVIEW)
    with in_tenant(app):
        decide_proposal(db.session.get(MenuProposal, proposal_id), actor=None, adopt=False, reason="対象市町村が限定的なため")
        db.session.commit()
    login(client, "p@example.jp")
    page = client.get(f"{T}/proposals/{proposal_id}").get_data(as_text=True)
    assert "不採択" in page and "対象市町村が限定的なため" in page


def test_publish_without_adopted_items_is_refused(app, client):
    _users(app)
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.MENU_REVIEW)
        db.session.commit()
        call_id = call.id
    login(client, "op@example.jp")
    response = client.post(f"{T}/calls/{call_id}/menu/publish")
    assert response.status_code == 400
    assert "採択された提案がないため、支援メニューを公開できません。" in response.get_data(as_text=True)


@pytest.mark.parametrize("email", ["p@example.jp", "rev@example.jp", "muni@example.jp"])
def test_operator_pages_are_404_for_other_roles(app, client, email):
    _users(app)
    call_id, (low, _high, _unscored) = _review_setup(app)
    login(client, email)
    assert client.get(f"{T}/calls/{call_id}/proposals").status_code == 404
    assert client.post(f"{T}/proposals/{low}/decide", data={"decision": "adopt"}).status_code == 404
    assert client.post(f"{T}/calls/{call_id}/menu/publish").status_code == 404


def test_home_tasks(app, client):
    _users(app)
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        proposal(call, factories.provider(t), submit=False)
        proposal(call, factories.provider(t, "別会社株式会社"))
        db.session.commit()
        call_id = call.id
    login(client, "p@example.jp")
    assert "提出していないメニュー提案（下書き）" in client.get(f"{T}/").get_data(as_text=True)
    with in_tenant(app):
        transition_call(db.session.get(Call, call_id), CallPhase.MENU_REVIEW, actor=None)
        db.session.commit()
    assert "提出していないメニュー提案" not in client.get(f"{T}/").get_data(as_text=True)
    client.post(f"{T}/logout")
    login(client, "op@example.jp")
    home = client.get(f"{T}/").get_data(as_text=True)
    assert "採否未決定の支援メニュー提案（令和6年度）" in home and f"/calls/{call_id}/proposals" in home


def _count_queries(app, client, url: str) -> int:
    statements = []

    def _count(*args):
        statements.append(1)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", _count)
    return len(statements)


def test_list_pages_do_not_grow_queries_with_rows(app, client):
    _users(app)
    call_ids = []
    with in_tenant(app) as t:
        for fiscal_year, count in ((2024, 1), (2025, 6)):
            call = call_in(t, CallPhase.PROPOSALS, fiscal_year=fiscal_year)
            for n in range(count):
                proposal(call, factories.provider(t, f"会社{n}"), title=f"提案{n}")
            transition_call(call, CallPhase.MENU_REVIEW, actor=None)
            call_ids.append(call.id)
        db.session.commit()
    login(client, "op@example.jp")
    for query in ("", "?sort=score", "?sort=provider"):
        small, large = (_count_queries(app, client, f"{T}/calls/{call_id}/proposals{query}") for call_id in call_ids)
        assert small == large > 0
