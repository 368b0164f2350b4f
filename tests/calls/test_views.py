import sqlalchemy as sa

from app.auth.models import Role
from app.calls.models import Call
from app.calls.states import CallPhase
from app.extensions import db
from tests import factories
from tests.conftest import in_tenant, login


def _operator(app, client):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()
    login(client, "op@example.jp")


def test_operator_creates_call_and_moves_its_phase(app, client):
    _operator(app, client)
    response = client.post("/t/fukushima/calls/new", data={"fiscal_year": "2024", "budget_thousand_yen": "69545"})
    assert response.status_code == 302
    detail = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "令和6年度" in detail and "69,545千円" in detail
    with in_tenant(app):
        call_id = db.session.scalar(sa.select(Call.id))
    client.post(f"/t/fukushima/calls/{call_id}/advance", data={"to": "proposals"})
    with in_tenant(app):
        assert db.session.get(Call, call_id).phase == CallPhase.PROPOSALS


def test_bad_input_is_refused_in_japanese(app, client):
    _operator(app, client)
    response = client.post("/t/fukushima/calls/new", data={"fiscal_year": "２０２４x", "budget_thousand_yen": "-1"})
    assert response.status_code == 400
    assert "入力内容に誤りがあります" in response.get_data(as_text=True)


def test_duplicate_year_keeps_the_form_and_says_why(app, client):
    _operator(app, client)
    client.post("/t/fukushima/calls/new", data={"fiscal_year": "2024", "budget_thousand_yen": "1"})
    response = client.post("/t/fukushima/calls/new", data={"fiscal_year": "2024", "budget_thousand_yen": "1"})
    assert response.status_code == 400
    assert "既に作成されています" in response.get_data(as_text=True)


def test_edit_rejects_first_pass_above_the_cap(app, client):
    _operator(app, client)
    client.post("/t/fukushima/calls/new", data={"fiscal_year": "2024", "budget_thousand_yen": "1"})
    with in_tenant(app):
        call_id = db.session.scalar(sa.select(Call.id))
    form = {"title": "t", "budget_thousand_yen": "1", "max_choices": "3", "max_applications_per_municipality": "1",
            "max_engagements_first_pass": "3", "max_engagements_per_municipality": "1",
            "priority_lookback_years": "2", "coverage_window_years": "3"}
    response = client.post(f"/t/fukushima/calls/{call_id}/edit", data=form)
    assert response.status_code == 400
    assert "上限以下" in response.get_data(as_text=True)


def test_only_operators_see_calls(app, client):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.MUNICIPAL, "m@example.jp", factories.municipality("072010"))
        db.session.commit()
    assert client.get("/t/fukushima/calls").status_code == 302  # anonymous: to the login page
    login(client, "m@example.jp")
    assert client.get("/t/fukushima/calls").status_code == 404
