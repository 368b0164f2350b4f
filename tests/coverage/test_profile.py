"""The municipality profile (GET /t/<slug>/municipalities/<id>): operator and own staff only."""
import sqlalchemy as sa

from app.applications.models import Application
from app.applications.services import transition_application
from app.applications.states import ApplicationState
from app.auth.models import Role
from app.cases.models import Case
from app.cases.states import CaseState
from app.core.db import utcnow
from app.extensions import db
from app.selection.models import Allocation, Selection
from app.selection.states import SelectionState
from app.surveys.models import SurveyResponse
from app.tenancy.models import Organisation, OrganisationKind
from tests import factories
from tests.conftest import in_tenant, login
from tests.coverage.builders import call_for, support

OWN, OTHER_CITY = "072028", "072010"  # 会津若松市 (profile), 福島市 (another municipality)
REASON = "非選定：第1希望の定員超過（理由テスト）"


def _arrange(app) -> int:
    """会津若松市: FY2023 and FY2024 engagements, a survey answer, a draft and a published case, a
    non-selected application in a confirmed FY2025 selection; one user per role."""
    with in_tenant(app) as tenant:
        city = factories.municipality(OWN)
        old, new = support(tenant, 2023, [city])[0], support(tenant, 2024, [city])[0]
        db.session.add(SurveyResponse(tenant_id=tenant.id, engagement_id=new.id, is_problem_solved=True, submitted_at=utcnow(),
                                      answers={"problem_solved": "つながった", "good_points": "庁内の合意形成が進んだ"}))
        db.session.add(Case(tenant_id=tenant.id, engagement_id=new.id, fiscal_year=2024, state=CaseState.PUBLISHED,
                            title="事例：公開中の事例【福島県会津若松市】", key_points=[], overview=[], published_at=utcnow()))
        db.session.add(Case(tenant_id=tenant.id, engagement_id=old.id, fiscal_year=2023, state=CaseState.DRAFT,
                            title="事例：下書きの事例【福島県会津若松市】", key_points=[], overview=[]))
        call = call_for(tenant, 2025)
        application = Application(tenant_id=tenant.id, call_id=call.id, municipality_id=city.id,
                                  state=ApplicationState.SUBMITTED, issue="窓口のオンライン化", submitted_at=utcnow())
        db.session.add(application)
        db.session.flush()
        selection = Selection(tenant_id=tenant.id, call_id=call.id, state=SelectionState.CONFIRMED, confirmed_at=utcnow())
        db.session.add(selection)
        db.session.flush()
        db.session.add(Allocation(tenant_id=tenant.id, selection_id=selection.id, application_id=application.id,
                                  menu_item_id=None, choice_rank=None, pass_no=None, reason=REASON))
        transition_application(application, ApplicationState.NOT_SELECTED, actor=None, note=REASON)
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        factories.user(tenant, Role.MUNICIPAL, "own@example.jp", organisation=city)
        factories.user(tenant, Role.MUNICIPAL, "other@example.jp", organisation=factories.municipality(OTHER_CITY))
        factories.user(tenant, Role.PROVIDER, "provider@example.jp", organisation=factories.provider(tenant))
        db.session.commit()
        return city.id


def _page(app, email, city_id):
    client = app.test_client()
    login(client, email)
    return client.get(f"/t/fukushima/municipalities/{city_id}")


def test_the_operator_sees_everything(app):
    city_id = _arrange(app)
    response = _page(app, "op@example.jp", city_id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "会津若松市" in page and "令和6年度（FY2024）" in page and "令和5年度（FY2023）" in page
    assert "情報セキュリティポリシー見直し" in page and "テスト情報システム株式会社" in page
    assert "今回の支援は、課題解決につながりましたか" in page and "つながった" in page and "庁内の合意形成が進んだ" in page
    assert "公開中の事例" in page and "下書きの事例" in page
    assert REASON in page and "窓口のオンライン化" in page
    assert " style=" not in page


def test_the_municipality_sees_its_own_profile_without_drafts(app):
    city_id = _arrange(app)
    response = _page(app, "own@example.jp", city_id)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert REASON in page and "公開中の事例" in page and "庁内の合意形成が進んだ" in page
    assert "下書きの事例" not in page


def test_others_get_404(app, client):
    city_id = _arrange(app)
    assert _page(app, "other@example.jp", city_id).status_code == 404
    assert _page(app, "provider@example.jp", city_id).status_code == 404
    anonymous = client.get(f"/t/fukushima/municipalities/{city_id}")
    assert anonymous.status_code == 302 and "/t/fukushima/login" in anonymous.headers["Location"]


def test_only_municipalities_have_a_profile(app):
    _arrange(app)
    with in_tenant(app):
        office_id = db.session.scalar(sa.select(Organisation.id).where(Organisation.kind == OrganisationKind.OFFICE))
    assert _page(app, "op@example.jp", office_id).status_code == 404
    assert _page(app, "op@example.jp", 999999).status_code == 404


def test_a_draft_selection_shows_to_the_operator_only(app):
    city_id = _arrange(app)
    with in_tenant(app) as tenant:
        call = call_for(tenant, 2026)
        application = Application(tenant_id=tenant.id, call_id=call.id, municipality_id=city_id,
                                  state=ApplicationState.SUBMITTED, issue="文書管理の電子化", submitted_at=utcnow())
        db.session.add(application)
        db.session.flush()
        selection = Selection(tenant_id=tenant.id, call_id=call.id, state=SelectionState.DRAFT)
        db.session.add(selection)
        db.session.flush()
        db.session.add(Allocation(tenant_id=tenant.id, selection_id=selection.id, application_id=application.id,
                                  reason="選定案の理由（未確定）"))
        db.session.commit()
    operator = _page(app, "op@example.jp", city_id).get_data(as_text=True)
    own = _page(app, "own@example.jp", city_id).get_data(as_text=True)
    assert "選定案の理由（未確定）" in operator and "選定案・未確定" in operator
    assert "選定案の理由（未確定）" not in own and REASON in own
