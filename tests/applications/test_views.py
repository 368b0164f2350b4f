"""Application views: municipal apply/edit/submit/withdraw, ownership, operator list and return."""
import pytest
import sqlalchemy as sa

from app.applications.models import Application
from app.applications.queries import published_menu_items
from app.applications.services import create_application, submit_application
from app.applications.states import ApplicationState
from app.auth.models import Role
from app.calls.queries import current_call
from app.calls.states import CallPhase
from app.extensions import db
from app.tenancy.models import Organisation
from tests import factories
from tests.applications.builders import call_with_menu, supported_in
from tests.conftest import in_tenant, login

BASE = "/t/fukushima"


@pytest.fixture
def ids(app):
    """Users of 福島市 (supported FY2023) and 会津若松市, an operator, a provider; an open call."""
    with in_tenant(app) as tenant:
        fukushima, aizu = factories.municipality("072010"), factories.municipality("072028")
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", organisation=fukushima)
        factories.user(tenant, Role.MUNICIPAL, "other@example.jp", organisation=aizu)
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        factories.user(tenant, Role.PROVIDER, "prov@example.jp", organisation=factories.provider(tenant))
        supported_in(tenant, fukushima, 2023)
        call, menu = call_with_menu(tenant, max_applications_per_municipality=1)
        result = {"call": call.id, "menu": [m.id for m in menu], "fukushima": fukushima.id, "aizu": aizu.id}
        db.session.commit()
    return result


def _form(ids, **overrides):
    data = {"choice_1": str(ids["menu"][0]), "choice_2": str(ids["menu"][1]), "choice_3": "",
            "issue": "窓口業務の手続きをオンライン化したい", "goal": "来庁不要に", "desired_timing": "7月〜9月",
            "contact_name": "福島 太郎", "contact_email": "taro@example.jp", "contact_phone": "024-000-0000"}
    data.update(overrides)
    return data


def _application(app, municipality_id, *, submit=False):
    """Create (and optionally submit) an application of `municipality_id` for the newest call's first item."""
    with in_tenant(app) as tenant:
        call = current_call(tenant)
        muni = db.session.scalar(sa.select(Organisation).where(Organisation.id == municipality_id))
        application = create_application(call, muni, actor=None, choices=[published_menu_items(tenant, call)[0]], issue="課題")
        if submit:
            submit_application(application, actor=None)
        db.session.commit()
        return application.id


def _state(app, application_id):
    with in_tenant(app):
        return db.session.scalar(sa.select(Application.state).where(Application.id == application_id))


def test_anonymous_is_sent_to_login(client, ids):
    response = client.get(f"{BASE}/applications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_provider_and_reviewer_cannot_reach_municipal_pages(client, ids):
    login(client, "prov@example.jp")
    assert client.get(f"{BASE}/applications").status_code == 404
    assert client.get(f"{BASE}/applications/new").status_code == 404


def test_new_form_shows_menu_history_and_priority(client, ids, app):
    login(client, "other@example.jp")  # 会津若松市: never supported -> priority
    page = client.get(f"{BASE}/applications/new").get_data(as_text=True)
    assert "No.1 テストメニュー1（テスト情報システム株式会社）" in page
    assert "過去2年間支援なし（優先）" in page and "支援実績なし" in page
    client.post(f"{BASE}/logout")
    login(client, "muni@example.jp")  # 福島市: supported FY2023 -> no priority
    page = client.get(f"{BASE}/applications/new").get_data(as_text=True)
    assert "過去2年間支援なし（優先）" not in page and "令和5年度" in page


def test_apply_edit_submit_and_list(client, ids, app):
    login(client, "muni@example.jp")
    response = client.post(f"{BASE}/applications/new", data=_form(ids))
    assert response.status_code == 302
    with in_tenant(app):
        application = db.session.scalar(sa.select(Application))
        app_id = application.id
        assert application.state == ApplicationState.DRAFT
        assert [c.menu_item_id for c in application.choices] == ids["menu"][:2]
    edit_page = client.get(f"{BASE}/applications/{app_id}/edit").get_data(as_text=True)
    assert "窓口業務の手続きをオンライン化したい" in edit_page
    assert client.post(f"{BASE}/applications/{app_id}/edit", data=_form(ids, choice_2="", issue="新しい課題")).status_code == 302
    assert client.post(f"{BASE}/applications/{app_id}/submit").status_code == 302
    assert _state(app, app_id) == ApplicationState.SUBMITTED
    listing = client.get(f"{BASE}/applications").get_data(as_text=True)
    assert "提出済" in listing and "令和6年度" in listing
    response = client.get(f"{BASE}/applications/{app_id}/edit", follow_redirects=True)
    assert "この申込は現在編集できません。" in response.get_data(as_text=True)


@pytest.mark.parametrize("overrides, message", [
    ({"choice_1": "", "choice_2": ""}, "第1希望を選択してください。"),
    ({"choice_1": ""}, "上位の希望を先に選択してください。"),
    ({"choice_2": "MENU0"}, "同じ支援メニューを複数の希望に選ぶことはできません。"),
    ({"choice_1": "999999"}, "公開されている支援メニューの中から選択してください。"),
    ({"choice_1": "abc"}, "公開されている支援メニューの中から選択してください。"),
    ({"issue": ""}, "課題を入力してください。"),
    ({"issue": "あ" * 2001}, "課題は2000文字以内で入力してください。"),
    ({"contact_email": "not-an-email"}, "メールアドレスの形式が正しくありません。"),
    ({"contact_phone": "電話"}, "電話番号は数字とハイフンで入力してください。"),
])
def test_bad_input_is_refused_with_japanese_message_and_kept(client, ids, app, overrides, message):
    login(client, "muni@example.jp")
    overrides = {k: (str(ids["menu"][0]) if v == "MENU0" else v) for k, v in overrides.items()}
    response = client.post(f"{BASE}/applications/new", data=_form(ids, goal="残しておく目標", **overrides))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert message in page and "残しておく目標" in page
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count(Application.id))) == 0


def test_limit_per_municipality_blocks_a_second_application(client, ids, app):
    _application(app, ids["fukushima"])
    login(client, "muni@example.jp")
    page = client.get(f"{BASE}/applications/new").get_data(as_text=True)
    assert "1市町村につき1件まで" in page
    response = client.post(f"{BASE}/applications/new", data=_form(ids))
    assert response.status_code == 400 and "1市町村につき1件まで" in response.get_data(as_text=True)


def test_no_open_call_message(client, app):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", organisation=factories.municipality("072010"))
        call_with_menu(tenant, phase=CallPhase.MENU_REVIEW)
        db.session.commit()
    login(client, "muni@example.jp")
    response = client.get(f"{BASE}/applications/new")
    assert response.status_code == 200 and "受け付けている募集はありません" in response.get_data(as_text=True)
    assert client.post(f"{BASE}/applications/new", data={"issue": "x"}).status_code == 400


def test_withdraw(client, ids, app):
    app_id = _application(app, ids["fukushima"], submit=True)
    login(client, "muni@example.jp")
    assert client.post(f"{BASE}/applications/{app_id}/withdraw").status_code == 302
    assert _state(app, app_id) == ApplicationState.WITHDRAWN
    assert client.post(f"{BASE}/applications/{app_id}/withdraw").status_code == 409


@pytest.mark.parametrize("method, suffix", [("get", ""), ("get", "/edit"), ("post", "/edit"), ("post", "/submit"),
                                            ("post", "/withdraw")])
def test_other_municipality_gets_404(client, ids, app, method, suffix):
    app_id = _application(app, ids["fukushima"])
    login(client, "other@example.jp")
    assert getattr(client, method)(f"{BASE}/applications/{app_id}{suffix}").status_code == 404
    assert _state(app, app_id) == ApplicationState.DRAFT


def test_municipal_cannot_use_operator_pages(client, ids, app):
    app_id = _application(app, ids["fukushima"], submit=True)
    login(client, "muni@example.jp")
    assert client.get(f"{BASE}/calls/{ids['call']}/applications").status_code == 404
    assert client.post(f"{BASE}/applications/{app_id}/return", data={"reason": "x"}).status_code == 404
    assert _state(app, app_id) == ApplicationState.SUBMITTED


def test_operator_list_filters_and_counts(client, ids, app):
    _application(app, ids["fukushima"], submit=True)
    _application(app, ids["aizu"], submit=True)
    with in_tenant(app) as tenant:
        extra = factories.municipality("072036")
        call = current_call(tenant)
        create_application(call, extra, actor=None, choices=[published_menu_items(tenant, call)[1]], issue="下書き")
        db.session.commit()
    login(client, "op@example.jp")
    page = client.get(f"{BASE}/calls/{ids['call']}/applications").get_data(as_text=True)
    assert "福島市" in page and "会津若松市" in page and "郡山市" not in page  # drafts are not listed
    assert '<span class="value">2</span>提出された申込' in page
    assert '<span class="value">1</span>うち優先市町村' in page
    priority_only = client.get(f"{BASE}/calls/{ids['call']}/applications?priority=1").get_data(as_text=True)
    assert "会津若松市" in priority_only and "福島市</a>" not in priority_only
    returned_only = client.get(f"{BASE}/calls/{ids['call']}/applications?state=returned").get_data(as_text=True)
    assert "該当する申込はありません。" in returned_only
    assert client.get(f"{BASE}/calls/{ids['call']}/applications?state=bogus").status_code == 400
    assert client.get(f"{BASE}/calls/999999/applications").status_code == 404


def test_return_and_resubmit(client, ids, app):
    app_id = _application(app, ids["fukushima"], submit=True)
    login(client, "op@example.jp")
    response = client.post(f"{BASE}/applications/{app_id}/return", data={"reason": ""})
    assert response.status_code == 400 and "差戻しの理由を入力してください。" in response.get_data(as_text=True)
    assert client.post(f"{BASE}/applications/{app_id}/return", data={"reason": "希望時期を記入してください"}).status_code == 302
    detail = client.get(f"{BASE}/applications/{app_id}").get_data(as_text=True)
    assert "履歴" in detail and detail.count("→") == 3  # created, submitted, returned
    client.post(f"{BASE}/logout")
    login(client, "muni@example.jp")
    detail = client.get(f"{BASE}/applications/{app_id}").get_data(as_text=True)
    assert "希望時期を記入してください" in detail
    assert client.post(f"{BASE}/applications/{app_id}/edit", data=_form(ids, desired_timing="8月")).status_code == 302
    assert client.post(f"{BASE}/applications/{app_id}/submit").status_code == 302
    assert _state(app, app_id) == ApplicationState.SUBMITTED


def test_home_tasks(client, ids, app):
    login(client, "muni@example.jp")
    assert "申込を受け付けています" in client.get(f"{BASE}/").get_data(as_text=True)
    client.post(f"{BASE}/logout")
    _application(app, ids["aizu"], submit=True)
    login(client, "op@example.jp")
    assert "提出された申込の確認" in client.get(f"{BASE}/").get_data(as_text=True)
