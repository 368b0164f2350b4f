"""派遣依頼 pages of the sample tenants: a 教育委員会 user files a request, the operator approves or
declines it, the navigation shows these pages for request tenants only, and the sample tenants
never see Fukushima data."""
import sqlalchemy as sa

from app.applications.models import Application
from app.applications.states import ApplicationState
from app.auth.models import Role
from app.engagements.models import Engagement
from app.extensions import db
from tests import factories
from tests.applications.request_builders import body, request_call, sync_sample
from tests.conftest import in_tenant, login

SHIZUOKA = "shizuoka-sample"
BOARD = "サンプル東市教育委員会"


def _arrange(app, *, filed: int = 0):
    """Shizuoka-sample with its FY2026 call, an operator and a 教育委員会 user; `filed` pending requests."""
    sync_sample(app, SHIZUOKA)
    with in_tenant(app, SHIZUOKA) as tenant:
        call, items = request_call(tenant)
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        factories.user(tenant, Role.MUNICIPAL, "board@example.jp", organisation=body(BOARD))
        from app.applications.requests import submit_request

        ids = [submit_request(call, body(BOARD), actor=None, menu_item=items["情報セキュリティ研修"], issue="研修").id
               for _ in range(filed)]
        item_id = items["ICTリテラシー教室（学生向け）"].id
        db.session.commit()
    return item_id, ids


def test_a_board_of_education_user_files_a_request(app, client):
    item_id, _ = _arrange(app)
    login(client, "board@example.jp", slug=SHIZUOKA)
    page = client.get(f"/t/{SHIZUOKA}/requests").get_data(as_text=True)
    assert "残り5回" in page and "派遣を依頼する" in page
    form = client.get(f"/t/{SHIZUOKA}/requests/new").get_data(as_text=True)
    assert "ICTリテラシー教室（学生向け）（ICTエキスパートA（サンプル））" in form
    response = client.post(f"/t/{SHIZUOKA}/requests/new", data={
        "choice_1": str(item_id), "issue": "中学生向けの情報リテラシー教室を開きたい。", "desired_timing": "11月"})
    assert response.status_code == 302
    with in_tenant(app, SHIZUOKA):
        request = db.session.scalar(sa.select(Application))
        assert (request.state, request.municipality.name) == (ApplicationState.SUBMITTED, BOARD)
    assert "審査中" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_the_sixth_request_is_refused_in_the_browser(app, client):
    item_id, _ = _arrange(app, filed=5)
    login(client, "board@example.jp", slug=SHIZUOKA)
    response = client.post(f"/t/{SHIZUOKA}/requests/new", data={"choice_1": str(item_id), "issue": "6回目"})
    assert response.status_code == 400
    assert "派遣の依頼は1団体につき年度内5回までです" in response.get_data(as_text=True)


def test_the_operator_approves_and_the_engagement_exists(app, client):
    _, (first, second) = _arrange(app, filed=2)
    login(client, "op@example.jp", slug=SHIZUOKA)
    listing = client.get(f"/t/{SHIZUOKA}/requests/manage").get_data(as_text=True)
    assert BOARD in listing and "2 / 5" in listing
    assert client.post(f"/t/{SHIZUOKA}/requests/{first}/approve").status_code == 302
    bad = client.post(f"/t/{SHIZUOKA}/requests/{second}/decline", data={"reason": ""})
    assert bad.status_code == 400 and "不承認の理由を入力してください" in bad.get_data(as_text=True)
    assert client.post(f"/t/{SHIZUOKA}/requests/{second}/decline", data={"reason": "日程が合わないため"}).status_code == 302
    with in_tenant(app, SHIZUOKA):
        engagement = db.session.scalar(sa.select(Engagement))
        assert engagement.application_id == first and engagement.provider.name == "ICTエキスパートC（サンプル）"
        assert db.session.get(Application, second).state == ApplicationState.NOT_SELECTED
    login(client, "board@example.jp", slug=SHIZUOKA)
    page = client.get(f"/t/{SHIZUOKA}/requests/{second}").get_data(as_text=True)
    assert "不承認" in page and "日程が合わないため" in page
    history = page.split("<h2>履歴</h2>", 1)[1]
    assert "審査中 → 不承認" in history  # states by their Japanese labels, never the stored values
    assert not any(raw in history for raw in ("draft", "submitted", "not_selected"))


def test_navigation_shows_requests_for_request_tenants_only(app, client):
    _arrange(app)
    login(client, "board@example.jp", slug=SHIZUOKA)
    nav = client.get(f"/t/{SHIZUOKA}/").get_data(as_text=True)
    assert f'href="/t/{SHIZUOKA}/requests"' in nav and f'href="/t/{SHIZUOKA}/applications"' not in nav
    with in_tenant(app) as fukushima:
        factories.user(fukushima, Role.MUNICIPAL, "city@example.jp", organisation=factories.municipality("072010"))
        db.session.commit()
    other = app.test_client()
    login(other, "city@example.jp")
    nav = other.get("/t/fukushima/").get_data(as_text=True)
    assert 'href="/t/fukushima/applications"' in nav and 'href="/t/fukushima/requests"' not in nav
    assert other.get("/t/fukushima/requests").status_code == 404


def _fukushima_objects(app) -> tuple[int, int, set[str]]:
    """A Fukushima application and engagement (ids) and the names of Fukushima's organisations."""
    from app.applications.services import create_application
    from tests.applications.builders import call_with_menu, supported_in

    with in_tenant(app) as fukushima:
        call, menu = call_with_menu(fukushima)
        city = factories.municipality("072010")
        application = create_application(call, city, actor=None, choices=[menu[0]], issue="越境検知の課題")
        supported_in(fukushima, city, 2023)
        engagement_id = db.session.scalar(sa.select(Engagement.id).limit(1))
        names = set(db.session.scalars(sa.text("SELECT name FROM organisations WHERE tenant_id = :t"), {"t": fukushima.id}))
        db.session.commit()
        return application.id, engagement_id, names


def test_sample_tenants_never_see_fukushima_data(app):
    from seed.requests_samples import seed_sample_tenants

    application_id, engagement_id, fukushima_names = _fukushima_objects(app)
    with app.app_context():
        assert seed_sample_tenants() == "samples: shizuoka-sample 11 requests, miyagi-sample 4 requests"
        db.session.commit()
    for slug in ("shizuoka-sample", "miyagi-sample"):
        client = app.test_client()
        login(client, "operator@demo.example", password="demo-pass-2024", slug=slug)
        assert client.get(f"/t/{slug}/requests/{application_id}").status_code == 404
        assert client.get(f"/t/{slug}/engagements/{engagement_id}").status_code == 404
        for path in ("requests/manage", "engagements", "coverage", "calls", ""):
            page = client.get(f"/t/{slug}/{path}").get_data(as_text=True)
            assert "越境検知" not in page and not [n for n in fukushima_names if n in page], (slug, path)
        assert "サンプル" in client.get(f"/t/{slug}/requests/manage").get_data(as_text=True)
        assert client.get("/t/fukushima/calls").status_code in (302, 404)  # a sample-tenant session is not Fukushima's


def test_the_sample_seed_is_idempotent(app):
    from seed.requests_samples import seed_sample_tenants

    with app.app_context():
        seed_sample_tenants()
        db.session.commit()
        assert seed_sample_tenants() == "samples: already loaded; nothing changed"
    with in_tenant(app, SHIZUOKA):
        states = [a.state for a in db.session.scalars(sa.select(Application))]
        assert states.count(ApplicationState.SUBMITTED) == 3 and ApplicationState.NOT_SELECTED in states


def test_the_operator_opens_a_fiscal_year_for_requests(app, client):
    sync_sample(app, SHIZUOKA)
    with in_tenant(app, SHIZUOKA) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()
    login(client, "op@example.jp", slug=SHIZUOKA)
    assert "すぐに依頼の受付が始まります" in client.get(f"/t/{SHIZUOKA}/calls").get_data(as_text=True)
    response = client.post(f"/t/{SHIZUOKA}/calls/new", data={"fiscal_year": "2027", "budget_thousand_yen": "0"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "通年受付" in page and "年度内5回まで" in page and "受付中" in page
    manage = client.get(f"/t/{SHIZUOKA}/requests/manage").get_data(as_text=True)
    assert "令和9年度" in manage and "該当する依頼はありません" in manage
