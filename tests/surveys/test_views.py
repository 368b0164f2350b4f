import pytest
import sqlalchemy as sa

from app.engagements.states import EngagementState
from app.extensions import db
from app.surveys.models import SurveyResponse
from tests.conftest import in_tenant, login
from tests.engagements import builders

BASE = "/t/fukushima"
FORM = {"problem_solved": "とてもつながった", "satisfaction": "5", "next_wish": "はい", "good_points": "助言が的確"}


@pytest.fixture
def world(app):
    with in_tenant(app) as t:
        emails = builders.users(t)
        ids = {"done": builders.completed(t).id,
               "running": builders.engagement(t, state=EngagementState.IN_PROGRESS).id}
        db.session.commit()
    return {**emails, **ids}


def test_municipality_answers_once_then_sees_it_read_only(app, client, world):
    url = f"{BASE}/engagements/{world['done']}/survey"
    login(client, world["muni"])
    page = client.get(url).get_data(as_text=True)
    assert "今回の支援は、課題解決につながりましたか" in page and "来年度もこの事業を利用したいですか" in page
    assert client.post(url, data=FORM).status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "回答済み" in page and "助言が的確" in page and "<form method=\"post\" action=\"" + url not in page
    assert client.post(url, data=FORM).status_code == 302
    with in_tenant(app):
        responses = db.session.scalars(sa.select(SurveyResponse)).all()
        assert len(responses) == 1 and responses[0].is_problem_solved is True and responses[0].answers["satisfaction"] == 5


def test_missing_required_answer_is_400_in_japanese(client, world):
    login(client, world["muni"])
    data = {k: v for k, v in FORM.items() if k != "problem_solved"}
    response = client.post(f"{BASE}/engagements/{world['done']}/survey", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "この設問に回答してください" in page and "助言が的確" in page


def test_invalid_choice_is_400(client, world):
    login(client, world["muni"])
    response = client.post(f"{BASE}/engagements/{world['done']}/survey", data={**FORM, "satisfaction": "9"})
    assert response.status_code == 400 and "入力内容に誤りがあります" in response.get_data(as_text=True)


def test_others_cannot_answer(client, world):
    url = f"{BASE}/engagements/{world['done']}/survey"
    for email in ("other_muni", "prov", "rev"):
        login(client, world[email])
        assert client.get(url).status_code == 404
        assert client.post(url, data=FORM).status_code == 404
        client.post(f"{BASE}/logout")
    assert client.get(url).status_code == 302  # anonymous: to the login


def test_survey_waits_for_completion(app, client, world):
    login(client, world["muni"])
    assert client.get(f"{BASE}/engagements/{world['running']}/survey").status_code == 302
    response = client.post(f"{BASE}/engagements/{world['running']}/survey", data=FORM, follow_redirects=True)
    assert "支援完了後にアンケートに回答できます" in response.get_data(as_text=True)
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count(SurveyResponse.id))) == 0


def test_operator_reads_results_and_non_respondents(client, world):
    login(client, world["op"])
    page = client.get(f"{BASE}/surveys?fiscal_year=2024").get_data(as_text=True)
    assert "福島市" in page and "未回答の市町村" in page and "—" in page
    client.post(f"{BASE}/logout")
    login(client, world["muni"])
    client.post(f"{BASE}/engagements/{world['done']}/survey", data=FORM)
    assert client.get(f"{BASE}/surveys").status_code == 404
    client.post(f"{BASE}/logout")
    login(client, world["op"])
    page = client.get(f"{BASE}/surveys").get_data(as_text=True)
    assert "1件中1件（100%）" in page and "すべての市町村が回答済みです" in page
    assert "とてもつながった" in client.get(f"{BASE}/engagements/{world['done']}/survey").get_data(as_text=True)


def test_results_without_completed_engagements_show_an_empty_state(app, client):
    with in_tenant(app) as t:
        builders.users(t)
        db.session.commit()
    login(client, "op@example.jp")
    assert "支援完了した案件はまだありません" in client.get(f"{BASE}/surveys").get_data(as_text=True)


def test_home_task_for_surveys_to_answer(client, world):
    login(client, world["muni"])
    assert "回答待ちの事後アンケート" in client.get(f"{BASE}/").get_data(as_text=True)
