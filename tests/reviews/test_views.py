"""The reviewer's pages: list with declaration/scoring status, declaration before details, scoring
form with justifications, others' scores after one's own, conflicts of interest, access."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calls.models import Call
from app.calls.services import transition_call
from app.calls.states import CallPhase
from app.extensions import db
from app.menus.models import MenuProposal
from app.menus.services import decide_proposal, publish_menu
from app.reviews.models import ConflictDeclaration, Review
from tests import factories
from tests.conftest import in_tenant, login
from tests.menus.builders import call_in, proposal, provider_user

T = "/t/fukushima"
GOOD = {"score_necessity": "4", "score_feasibility": "5", "score_cost": "3", "comment": "具体的で良い",
        "reason_necessity": "需要が明確", "reason_feasibility": "体制が十分", "reason_cost": "相場どおり"}
NO_CONFLICT = {"form_name": "declare", "has_conflict": "no"}


def _setup(app) -> dict:
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        own = proposal(call, factories.provider(t, "審査員の会社"), title="自社の提案")
        other = proposal(call, factories.provider(t, "別の会社"), title="他社の提案", description="詳細な提案内容")
        draft = proposal(call, factories.provider(t, "別の会社"), title="下書きの提案", submit=False)
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        factories.user(t, Role.REVIEWER, "rev@example.jp", organisation=factories.provider(t, "審査員の会社"))
        factories.user(t, Role.REVIEWER, "office-rev@example.jp", name="県審査員")
        factories.user(t, Role.REVIEWER, "second-rev@example.jp", name="第二審査員")
        factories.user(t, Role.OPERATOR, "op@example.jp")
        provider_user(t, "p@example.jp", name="別の会社")
        db.session.commit()
        return {"own": own.id, "other": other.id, "draft": draft.id, "call": call.id}


def _declared(client, ids, key="other"):
    assert client.post(f"{T}/reviews/proposals/{ids[key]}", data=NO_CONFLICT).status_code == 302


def test_anonymous_is_sent_to_login(client):
    response = client.get(f"{T}/reviews")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_list_hides_conflicts_and_shows_progress(app, client):
    ids = _setup(app)
    login(client, "rev@example.jp")
    page = client.get(f"{T}/reviews").get_data(as_text=True)
    assert "他社の提案" in page and "自社の提案" not in page and "下書きの提案" not in page
    assert "未採点" in page and "未申告" in page and "採点済" not in page
    assert "未採点の審査対象" in client.get(f"{T}/").get_data(as_text=True)
    _declared(client, ids)
    assert client.post(f"{T}/reviews/proposals/{ids['other']}", data=GOOD).status_code == 302
    page = client.get(f"{T}/reviews").get_data(as_text=True)
    assert "採点済" in page and ">12<" in page and "80.0" in page
    assert "未採点の審査対象" not in client.get(f"{T}/").get_data(as_text=True)


def test_details_are_shown_only_after_the_declaration(app, client):
    ids = _setup(app)
    login(client, "office-rev@example.jp")
    page = client.get(f"{T}/reviews/proposals/{ids['other']}").get_data(as_text=True)
    assert "利害関係の申告" in page and "詳細な提案内容" not in page
    response = client.post(f"{T}/reviews/proposals/{ids['other']}", data=GOOD)
    assert response.status_code == 400 and "利害関係の有無を申告" in response.get_data(as_text=True)
    response = client.post(f"{T}/reviews/proposals/{ids['other']}", data={"form_name": "declare", "has_conflict": "yes"})
    assert response.status_code == 400 and "利害関係の内容を入力してください。" in response.get_data(as_text=True)
    _declared(client, ids)
    assert "詳細な提案内容" in client.get(f"{T}/reviews/proposals/{ids['other']}").get_data(as_text=True)


def test_declaring_a_conflict_removes_the_item(app, client):
    ids = _setup(app)
    login(client, "office-rev@example.jp")
    response = client.post(f"{T}/reviews/proposals/{ids['other']}",
                           data={"form_name": "declare", "has_conflict": "yes", "reason": "元社員"})
    assert response.status_code == 302
    assert "他社の提案" not in client.get(f"{T}/reviews").get_data(as_text=True)
    assert client.get(f"{T}/reviews/proposals/{ids['other']}").status_code == 404
    with in_tenant(app):
        assert db.session.scalar(sa.select(ConflictDeclaration.reason)) == "元社員"


def test_score_form_prefills_rescoring_replaces_and_others_show_after_own(app, client):
    ids = _setup(app)
    login(client, "second-rev@example.jp")
    _declared(client, ids)
    client.post(f"{T}/reviews/proposals/{ids['other']}", data=GOOD | {"reason_cost": "第二の理由"})
    client.get(f"{T}/logout")
    login(client, "office-rev@example.jp")
    _declared(client, ids)
    form = client.get(f"{T}/reviews/proposals/{ids['other']}").get_data(as_text=True)
    assert "市町村ニーズとの適合" in form and "費用の妥当性の評価理由" in form
    assert "第二の理由" not in form and "ご自身の採点を保存した後" in form
    client.post(f"{T}/reviews/proposals/{ids['other']}", data=GOOD)
    page = client.get(f"{T}/reviews/proposals/{ids['other']}").get_data(as_text=True)
    assert "具体的で良い" in page and "需要が明確" in page and "第二の理由" in page and "第二審査員" in page
    client.post(f"{T}/reviews/proposals/{ids['other']}", data=GOOD | {"score_cost": "1"})
    with in_tenant(app):
        assert sorted(db.session.scalars(sa.select(Review.total)).all()) == [10, 12]


@pytest.mark.parametrize("change, message", [
    ({"score_cost": ""}, "費用の妥当性を1から5の範囲で選んでください。"),
    ({"score_cost": "9"}, "費用の妥当性を1から5の範囲で選んでください。"),
    ({"score_necessity": "x"}, "市町村ニーズとの適合を1から5の範囲で選んでください。"),
    ({"reason_cost": ""}, "「費用の妥当性」の評価理由を入力してください。"),
])
def test_bad_scores_are_400_with_japanese_message(app, client, change, message):
    ids = _setup(app)
    login(client, "office-rev@example.jp")
    _declared(client, ids)
    response = client.post(f"{T}/reviews/proposals/{ids['other']}", data=GOOD | change)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 0


def test_conflict_and_drafts_are_404(app, client):
    ids = _setup(app)
    login(client, "rev@example.jp")
    assert client.get(f"{T}/reviews/proposals/{ids['own']}").status_code == 404
    assert client.post(f"{T}/reviews/proposals/{ids['own']}", data=GOOD).status_code == 404
    assert client.post(f"{T}/reviews/proposals/{ids['own']}", data=NO_CONFLICT).status_code == 404
    assert client.get(f"{T}/reviews/proposals/{ids['draft']}").status_code == 404


@pytest.mark.parametrize("email", ["op@example.jp", "p@example.jp"])
def test_other_roles_get_404(app, client, email):
    ids = _setup(app)
    login(client, email)
    assert client.get(f"{T}/reviews").status_code == 404
    assert client.post(f"{T}/reviews/proposals/{ids['other']}", data=GOOD).status_code == 404


def test_scoring_after_the_review_phase_is_refused(app, client):
    ids = _setup(app)
    login(client, "office-rev@example.jp")
    _declared(client, ids)
    with in_tenant(app):
        decide_proposal(db.session.get(MenuProposal, ids["other"]), actor=None, adopt=True, reason="")
        publish_menu(db.session.get(Call, ids["call"]), actor=None)
        db.session.commit()
    assert "現在採点できません" in client.get(f"{T}/reviews/proposals/{ids['other']}").get_data(as_text=True)
    response = client.post(f"{T}/reviews/proposals/{ids['other']}", data=GOOD)
    assert response.status_code == 400 and "採否が決定した提案は採点できません。" in response.get_data(as_text=True)
    assert "他社の提案" not in client.get(f"{T}/reviews").get_data(as_text=True)
