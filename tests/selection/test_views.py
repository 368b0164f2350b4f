"""Selection views: propose, adjust, confirm; read-only after confirmation; operators only."""
import pytest
import sqlalchemy as sa

from app.applications.services import create_application, submit_application
from app.applications.states import ApplicationState
from app.applications.models import Application
from app.auth.models import Role
from app.calls.states import CallPhase
from app.engagements.models import Engagement
from app.extensions import db
from app.selection.models import Allocation
from app.selection.services import propose_selection
from tests import factories
from tests.applications.builders import advance, call_with_menu, supported_in
from tests.conftest import in_tenant, login

BASE = "/t/fukushima"


@pytest.fixture
def ids(app):
    """Menu [cap 1, 1000千円] and [cap 2, 1000千円], budget 2500; 福島市 (supported FY2023),
    会津若松市 and 郡山市 submitted, first choice item 0 then item 1; call still in 申込受付."""
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        fukushima = factories.municipality("072010")
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", organisation=fukushima)
        supported_in(tenant, fukushima, 2023)
        call, menu = call_with_menu(tenant, budget=2500, items=[(1, 1000), (2, 1000)])
        apps = {}
        for code in ("072010", "072028", "072036"):
            a = create_application(call, factories.municipality(code), actor=None, choices=[menu[0], menu[1]], issue="課題")
            submit_application(a, actor=None)
            apps[code] = a.id
        db.session.commit()
        return {"call": call.id, "menu": [m.id for m in menu], "apps": apps}


def _to_selection(app, ids):
    with in_tenant(app) as tenant:
        from app.calls.queries import current_call

        advance(current_call(tenant), CallPhase.SELECTION)
        db.session.commit()


def _allocation(app, application_id):
    with in_tenant(app):
        a = db.session.scalar(sa.select(Allocation).where(Allocation.application_id == application_id))
        return {"id": a.id, "item": a.menu_item_id, "reason": a.reason, "pinned": a.is_pinned, "excluded": a.is_excluded}


def test_page_before_selection_phase_explains_when(client, ids):
    login(client, "op@example.jp")
    page = client.get(f"{BASE}/calls/{ids['call']}/selection").get_data(as_text=True)
    assert "「選定・決定」フェーズ" in page
    response = client.post(f"{BASE}/calls/{ids['call']}/selection/propose")
    assert response.status_code == 400 and "選定は「選定・決定」フェーズの間だけ行えます。" in response.get_data(as_text=True)


def test_propose_adjust_confirm(client, ids, app):
    _to_selection(app, ids)
    login(client, "op@example.jp")
    assert client.post(f"{BASE}/calls/{ids['call']}/selection/propose").status_code == 302
    page = client.get(f"{BASE}/calls/{ids['call']}/selection").get_data(as_text=True)
    assert "選定：過去2年間支援なし（優先）・支援実績なし・第1希望・残り枠0" in page
    assert "非選定：予算上限" in page
    assert "2,000" in page and "500" in page  # allocated and remaining 千円
    fukushima = _allocation(app, ids["apps"]["072010"])
    assert fukushima["item"] is None
    # swap: give 郡山市's place to 福島市 and pin it
    koriyama = _allocation(app, ids["apps"]["072036"])
    assert client.post(f"{BASE}/allocations/{koriyama['id']}/adjust", data={f"a{koriyama['id']}-decision": ""}).status_code == 302
    data = {f"a{fukushima['id']}-decision": str(ids["menu"][1]), f"a{fukushima['id']}-is_pinned": "y"}
    assert client.post(f"{BASE}/allocations/{fukushima['id']}/adjust", data=data).status_code == 302
    assert _allocation(app, ids["apps"]["072010"]) | {"id": 0} == {
        "id": 0, "item": ids["menu"][1], "reason": "選定：事務局が調整・第2希望", "pinned": True, "excluded": False}
    assert client.post(f"{BASE}/calls/{ids['call']}/selection/confirm").status_code == 302
    with in_tenant(app):
        engagements = db.session.scalars(sa.select(Engagement).where(Engagement.application_id.is_not(None))).all()
        states = dict(db.session.execute(sa.select(Application.id, Application.state)).all())
    assert sorted(e.application_id for e in engagements) == sorted([ids["apps"]["072010"], ids["apps"]["072028"]])
    assert states[ids["apps"]["072036"]] == ApplicationState.NOT_SELECTED
    page = client.get(f"{BASE}/calls/{ids['call']}/selection").get_data(as_text=True)
    assert "確定しました" in page and "/adjust" not in page and "selection/propose" not in page
    response = client.post(f"{BASE}/calls/{ids['call']}/selection/propose")
    assert response.status_code == 400 and "確定済み" in response.get_data(as_text=True)
    response = client.post(f"{BASE}/allocations/{koriyama['id']}/adjust", data={f"a{koriyama['id']}-decision": ""})
    assert response.status_code == 400 and "確定済み" in response.get_data(as_text=True)


@pytest.mark.parametrize("decision, flags, message", [
    ("MENU0", {}, "希望メニューの受入枠を超えるため選定できません。"),
    ("MENU1", {}, "予算（2,500千円）を超えるため選定できません。"),
    ("999999", {}, "申込の希望にない支援メニューは選べません。"),
    ("", {"is_pinned": "y", "is_excluded": "y"}, "固定と除外は同時に指定できません。"),
])
def test_bad_adjustment_is_refused_and_nothing_changes(client, ids, app, decision, flags, message):
    _to_selection(app, ids)
    login(client, "op@example.jp")
    client.post(f"{BASE}/calls/{ids['call']}/selection/propose")
    before = _allocation(app, ids["apps"]["072010"])
    decision = {"MENU0": str(ids["menu"][0]), "MENU1": str(ids["menu"][1])}.get(decision, decision)
    data = {f"a{before['id']}-decision": decision, **{f"a{before['id']}-{k}": v for k, v in flags.items()}}
    response = client.post(f"{BASE}/allocations/{before['id']}/adjust", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _allocation(app, ids["apps"]["072010"]) == before


def test_confirm_without_proposal_is_refused(client, ids, app):
    _to_selection(app, ids)
    login(client, "op@example.jp")
    response = client.post(f"{BASE}/calls/{ids['call']}/selection/confirm")
    assert response.status_code == 400 and "選定案を作成してから確定してください。" in response.get_data(as_text=True)


def test_municipal_and_anonymous_cannot_reach_selection(client, ids, app):
    _to_selection(app, ids)
    assert client.get(f"{BASE}/calls/{ids['call']}/selection").status_code == 302
    login(client, "muni@example.jp")
    assert client.get(f"{BASE}/calls/{ids['call']}/selection").status_code == 404
    assert client.post(f"{BASE}/calls/{ids['call']}/selection/propose").status_code == 404
    assert client.post(f"{BASE}/calls/{ids['call']}/selection/confirm").status_code == 404


def test_operator_home_task_until_confirmed(client, ids, app):
    _to_selection(app, ids)
    login(client, "op@example.jp")
    assert "選定案の作成・確定" in client.get(f"{BASE}/").get_data(as_text=True)
    client.post(f"{BASE}/calls/{ids['call']}/selection/propose")
    client.post(f"{BASE}/calls/{ids['call']}/selection/confirm")
    assert "選定案の作成・確定" not in client.get(f"{BASE}/").get_data(as_text=True)


def _count_queries(app, client, url):
    from sqlalchemy import event

    with app.app_context():
        engine = db.engine
    statements = []

    def _count(*args):
        statements.append(1)

    event.listen(engine, "before_cursor_execute", _count)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", _count)
    return len(statements)


def _call_with_applications(tenant, fiscal_year, codes):
    call, menu = call_with_menu(tenant, fiscal_year=fiscal_year, budget=100_000, items=[(3, 100), (3, 100), (3, 100)])
    for i, code in enumerate(codes):
        a = create_application(call, factories.municipality(code), actor=None, choices=[menu[i % 3], menu[(i + 1) % 3]],
                               issue="課題")
        submit_application(a, actor=None)
    advance(call, CallPhase.SELECTION)
    propose_selection(call, actor=None)
    return call.id


def test_list_pages_do_not_grow_queries_with_rows(client, app):
    """No N+1: the operator's application list and selection page issue as many queries for one
    application as for nine."""
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        small = _call_with_applications(tenant, 2024, ["072010"])
        large = _call_with_applications(tenant, 2025, ["072010", "072028", "072036", "072044", "072052", "072079",
                                                       "072087", "072095", "072109"])
        db.session.commit()
    login(client, "op@example.jp")
    for page in ("applications", "selection"):
        client.get(f"{BASE}/calls/{small}/{page}")  # warm up (session user, tenant)
        counts = [_count_queries(app, client, f"{BASE}/calls/{call_id}/{page}") for call_id in (small, large)]
        assert counts[0] == counts[1], (page, counts)
