"""The public coverage dashboard (GET /t/<slug>/coverage)."""
import sqlalchemy as sa

from app.auth.models import Role
from app.core.wareki import fiscal_year_label
from app.engagements.states import EngagementState
from app.extensions import db
from app.tenancy.models import Organisation
from app.tenancy.scoping import tenant_scope
from tests import factories
from tests.conftest import in_tenant, login
from tests.coverage.builders import count_statements, municipalities, other_tenant, support


def _arrange(app, fiscal_years=(2022, 2023, 2024), n=3):
    with in_tenant(app) as tenant:
        m = municipalities()
        for i, fy in enumerate(fiscal_years):
            support(tenant, fy, m[i * n:(i + 1) * n])
        names = [x.name for x in m]
        db.session.commit()
    return names


def test_anonymous_sees_the_dashboard(app, client):
    names = _arrange(app)
    response = client.get("/t/fukushima/coverage?fiscal_year=2024")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "令和6年度" in page and fiscal_year_label(2022) in page
    assert "凡例" in page and "「●」" in page and "「－」" in page
    assert '<td class="hit">●</td>' in page and '<td class="miss">－</td>' in page
    for region in ("県北", "県中", "県南", "会津", "南会津", "相双", "いわき", "中通り", "浜通り", "避難地域12市町村"):
        assert region in page
    never = page.split("期間内未支援の市町村</h2>")[1].split("</ul>")[0]
    assert names[9] in never and names[0] not in never


def test_counts_are_distinct_municipalities(app, client):
    with in_tenant(app) as tenant:
        m = municipalities()
        for fy in (2022, 2023, 2024):
            support(tenant, fy, m[:2])  # the same two every year
        db.session.commit()
    page = client.get("/t/fukushima/coverage?fiscal_year=2024").get_data(as_text=True)
    summary = page.split('<ul class="summary">')[1].split("</ul>")[0]
    assert '期間内に支援した市町村<span class="value">2</span>' in summary
    assert '市町村数<span class="value">59</span>' in summary


def test_default_year_is_the_newest_call(app, client):
    _arrange(app, fiscal_years=(2022, 2023))
    page = client.get("/t/fukushima/coverage").get_data(as_text=True)
    assert "<h1>支援状況（令和5年度（FY2023））</h1>" in page


def test_priority_list_for_the_next_year(app, client):
    names = _arrange(app)
    page = client.get("/t/fukushima/coverage?fiscal_year=2024").get_data(as_text=True)
    priority = page.split("令和7年度の優先対象</h2>")[1].split("</ul>")[0]
    assert names[0] in priority  # FY2022 only: not supported in FY2023–FY2024
    assert names[3] not in priority and names[6] not in priority


def test_cancelled_engagements_do_not_count(app, client):
    from tests.coverage.builders import cancel

    with in_tenant(app) as tenant:
        cancel(support(tenant, 2024, municipalities()[:1], state=EngagementState.ASSIGNED)[0])
        db.session.commit()
    page = client.get("/t/fukushima/coverage?fiscal_year=2024").get_data(as_text=True)
    assert '期間内に支援した市町村<span class="value">0</span>' in page


def test_bad_fiscal_year_is_400_with_a_japanese_message(app, client):
    for value in ("abc", "1999", "２０２４", "99999999999999999999"):
        response = client.get(f"/t/fukushima/coverage?fiscal_year={value}")
        assert response.status_code == 400
        assert "年度は2000〜2100の西暦" in response.get_data(as_text=True)


def test_unknown_tenant_is_404(client):
    assert client.get("/t/nowhere/coverage").status_code == 404


def test_logged_in_users_see_it_too(app, client):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", organisation=factories.municipality("072010"))
        db.session.commit()
    login(client, "muni@example.jp")
    assert client.get("/t/fukushima/coverage").status_code == 200


def test_other_tenant_data_stays_out(app, client):
    with in_tenant(app):
        other = other_tenant(n_municipalities=2)
        with tenant_scope(other.id):
            shizuoka = db.session.scalars(sa.select(Organisation).where(Organisation.tenant_id == other.id)).all()
            support(other, 2024, shizuoka[:1])
        db.session.commit()
    page = client.get("/t/fukushima/coverage?fiscal_year=2024").get_data(as_text=True)
    assert "静岡市" not in page and '期間内に支援した市町村<span class="value">0</span>' in page
    other_page = client.get("/t/other/coverage?fiscal_year=2024").get_data(as_text=True)
    assert "静岡市" in other_page and "福島市" not in other_page
    assert '市町村数<span class="value">2</span>' in other_page


def test_statement_count_is_the_same_for_one_and_many_engagements(app, client):
    with in_tenant(app) as tenant:
        support(tenant, 2024, municipalities()[:1])
        db.session.commit()
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as few:
        assert client.get("/t/fukushima/coverage?fiscal_year=2024").status_code == 200
    with in_tenant(app) as tenant:
        m = municipalities()
        support(tenant, 2021, m[10:40])
        support(tenant, 2022, m[1:59])
        support(tenant, 2024, m[1:59])
        db.session.commit()
    with count_statements(engine) as many:
        assert client.get("/t/fukushima/coverage?fiscal_year=2024").status_code == 200
    assert len(few) == len(many)
