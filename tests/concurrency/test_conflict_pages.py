"""The conflict page that shows the other edit (issue 7 §5): when a form started from an older
version is saved after someone else saved different content, the user gets 409 with both values,
who saved and when, and their input kept in a form that re-submits against the current version."""
from __future__ import annotations

import html

import pytest
import sqlalchemy as sa

from app.applications.models import Application
from app.applications.services import create_application
from app.auth.models import Role
from app.calls.states import CallPhase
from app.cases.models import Case
from app.cases.states import CaseState
from app.extensions import db
from app.menus.models import MenuProposal
from tests import factories
from tests.applications.builders import call_with_menu
from tests.cases import helpers as case_helpers
from tests.concurrency.helpers import as_multidict, resubmit_form
from tests.conftest import in_tenant, login
from tests.menus.builders import call_in, proposal

BASE = "/t/fukushima"
OTHER = "二人目の担当者"


def _row(app, model, row_id):
    with in_tenant(app):
        return db.session.scalar(sa.select(model).where(model.id == row_id))


def _second_client(app):
    return app.test_client()


def _lost_update_scenario(app, client, url, *, first: dict, second: dict, first_user: str, second_user: str):
    """`second_user` saves `second` first; then `first_user` saves `first` from the same starting
    version. Returns the second response (the conflict page) of `first_user`."""
    other = _second_client(app)
    login(other, second_user)
    assert other.post(url, data=second).status_code == 302
    login(client, first_user)
    return client.post(url, data=first)


def _assert_conflict_page(response, *, mine: str, theirs: str):
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 409, page[:1500]
    assert "他の人が先に保存しました" in page
    assert "あなたの入力" in page and "保存されている内容（他の人の編集）" in page
    assert mine in page and theirs in page
    assert f"最後に保存した人：{OTHER}" in page and "保存日時：" in page
    return page


# --- 申込 (application draft) -------------------------------------------------------------

@pytest.fixture
def application_ids(app):
    with in_tenant(app) as tenant:
        muni = factories.municipality("072010")
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", organisation=muni)
        factories.user(tenant, Role.MUNICIPAL, "muni2@example.jp", organisation=muni, name=OTHER)
        call, menu = call_with_menu(tenant)
        application = create_application(call, muni, actor=None, choices=[menu[0]], issue="最初の課題")
        db.session.commit()  # before reading the version: the commit may flush pending changes
        return {"application": application.id, "version": application.version_id, "menu": [m.id for m in menu]}


def _application_form(ids, **overrides) -> dict:
    data = {"choice_1": str(ids["menu"][0]), "choice_2": "", "choice_3": "", "issue": "最初の課題", "goal": "",
            "desired_timing": "", "contact_name": "", "contact_email": "", "contact_phone": "",
            "version_id": str(ids["version"])}
    return data | overrides


def test_application_edit_form_carries_its_version(app, client, application_ids):
    login(client, "muni@example.jp")
    page = client.get(f"{BASE}/applications/{application_ids['application']}/edit").get_data(as_text=True)
    assert f'name="version_id" type="hidden" value="{application_ids["version"]}"' in page


def test_application_conflict_shows_both_edits_and_overwrite_saves_mine(app, client, application_ids):
    url = f"{BASE}/applications/{application_ids['application']}/edit"
    ids = application_ids
    response = _lost_update_scenario(
        app, client, url, first_user="muni@example.jp", second_user="muni2@example.jp",
        first=_application_form(ids, issue="私の課題：窓口のオンライン化", choice_1=str(ids["menu"][2])),
        second=_application_form(ids, issue="他の人の課題：RPAの導入"))
    page = _assert_conflict_page(response, mine="私の課題：窓口のオンライン化", theirs="他の人の課題：RPAの導入")
    assert "テストメニュー3" in page and "テストメニュー1" in page  # the differing choices, both sides
    stored = _row(app, Application, ids["application"])
    assert stored.issue == "他の人の課題：RPAの導入" and stored.version_id == ids["version"] + 1  # nothing of mine yet
    action, fields = resubmit_form(response.get_data(as_text=True))
    assert action == url and ("version_id", str(ids["version"] + 1)) in fields
    assert ("issue", "私の課題：窓口のオンライン化") in fields and "csrf_token" in dict(fields)
    assert client.post(action, data=as_multidict(fields)).status_code == 302
    with in_tenant(app):
        stored = db.session.get(Application, ids["application"])
        assert stored.issue == "私の課題：窓口のオンライン化" and [c.menu_item_id for c in stored.choices] == [ids["menu"][2]]
        assert stored.version_id == ids["version"] + 2  # exactly two saves, nothing lost


def test_application_same_edit_twice_is_not_a_conflict(app, client, application_ids):
    url = f"{BASE}/applications/{application_ids['application']}/edit"
    same = _application_form(application_ids, issue="同じ内容")
    response = _lost_update_scenario(app, client, url, first_user="muni@example.jp", second_user="muni2@example.jp",
                                     first=same, second=same)
    assert response.status_code == 302


def test_application_conflict_page_offers_discard_link_to_the_current_content(app, client, application_ids):
    url = f"{BASE}/applications/{application_ids['application']}/edit"
    response = _lost_update_scenario(
        app, client, url, first_user="muni@example.jp", second_user="muni2@example.jp",
        first=_application_form(application_ids, issue="私の課題"), second=_application_form(application_ids, issue="他の課題"))
    assert f'<a href="{url}">自分の入力を破棄して最新の内容を開く</a>' in response.get_data(as_text=True)
    fresh = client.get(url).get_data(as_text=True)
    assert "他の課題" in fresh and f'value="{application_ids["version"] + 1}"' in fresh


# --- 事例 (case) --------------------------------------------------------------------------

@pytest.fixture
def case_ids(app):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        factories.user(tenant, Role.OPERATOR, "op2@example.jp", name=OTHER)
        case = case_helpers.case_in(tenant, CaseState.DRAFT)
        db.session.commit()  # before reading the version: the commit flushes the search text
        return {"case": case.id, "version": case.version_id}


def _case_form(ids, **overrides) -> dict:
    data = {"title": "事例：最初【福島県福島市】", "key_points": "一", "overview": "", "dx_step": "",
            "version_id": str(ids["version"])}
    return data | overrides


def test_case_conflict_shows_both_edits_and_overwrite_saves_mine(app, client, case_ids):
    url = f"{BASE}/cases/{case_ids['case']}/edit"
    response = _lost_update_scenario(
        app, client, url, first_user="op@example.jp", second_user="op2@example.jp",
        first=_case_form(case_ids, title="事例：私の見出し【福島県福島市】", key_points="私のポイント\n二つ目", dx_step="2"),
        second=_case_form(case_ids, title="事例：他の人の見出し【福島県福島市】"))
    page = _assert_conflict_page(response, mine="事例：私の見出し【福島県福島市】", theirs="事例：他の人の見出し【福島県福島市】")
    assert "ステップ2 推進体制・人材" in page  # a differing DX step, shown by its label
    assert _row(app, Case, case_ids["case"]).title == "事例：他の人の見出し【福島県福島市】"
    action, fields = resubmit_form(response.get_data(as_text=True))
    assert ("key_points", "私のポイント\n二つ目") in fields  # multi-line input kept as typed
    assert client.post(action, data=as_multidict(fields)).status_code == 302
    stored = _row(app, Case, case_ids["case"])
    assert stored.title == "事例：私の見出し【福島県福島市】" and stored.key_points == ["私のポイント", "二つ目"]
    assert stored.version_id == case_ids["version"] + 2


# --- 支援メニューの提案 (menu proposal) ------------------------------------------------------

@pytest.fixture
def proposal_ids(app):
    with in_tenant(app) as tenant:
        company = factories.provider(tenant)
        factories.user(tenant, Role.PROVIDER, "p@example.jp", organisation=company)
        factories.user(tenant, Role.PROVIDER, "p2@example.jp", organisation=company, name=OTHER)
        item = proposal(call_in(tenant, CallPhase.PROPOSALS), company, submit=False)
        db.session.commit()
        return {"proposal": item.id, "version": item.version_id}


def _proposal_form(ids, **overrides) -> dict:
    data = {"title": "情報セキュリティポリシー見直し", "categories": ["SEC"], "description": "見直します。",
            "deliverables": "", "format": "hybrid", "capacity": "3", "unit_cost_thousand_yen": "1500",
            "version_id": str(ids["version"])}
    return data | overrides


def test_menu_proposal_conflict_shows_both_edits_and_overwrite_saves_mine(app, client, proposal_ids):
    url = f"{BASE}/proposals/{proposal_ids['proposal']}/edit"
    login(client, "p@example.jp")
    assert f'name="version_id" type="hidden" value="{proposal_ids["version"]}"' in client.get(url).get_data(as_text=True)
    response = _lost_update_scenario(
        app, client, url, first_user="p@example.jp", second_user="p2@example.jp",
        first=_proposal_form(proposal_ids, capacity="5", categories=["SEC", "RPA"], format="online"),
        second=_proposal_form(proposal_ids, capacity="2"))
    page = _assert_conflict_page(response, mine="5", theirs="2")
    assert "対応可能な市町村数" in page and "オンライン" in page and "対面・オンライン併用" in page
    assert _row(app, MenuProposal, proposal_ids["proposal"]).capacity == 2
    action, fields = resubmit_form(response.get_data(as_text=True))
    assert [v for k, v in fields if k == "categories"] == ["SEC", "RPA"]  # multi-valued input kept
    assert client.post(action, data=as_multidict(fields)).status_code == 302
    stored = _row(app, MenuProposal, proposal_ids["proposal"])
    assert (stored.capacity, stored.categories, stored.format.value) == (5, ["SEC", "RPA"], "online")


def test_a_malformed_version_is_ignored_not_an_error(app, client, proposal_ids):
    login(client, "p@example.jp")
    url = f"{BASE}/proposals/{proposal_ids['proposal']}/edit"
    assert client.post(url, data=_proposal_form(proposal_ids, version_id="x' OR 1=1")).status_code == 302
