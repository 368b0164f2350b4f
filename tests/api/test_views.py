"""Open-data API: municipalities, published menu, coverage and published cases, as JSON."""
import datetime as dt
from collections import Counter

import sqlalchemy as sa

from app.cases.models import Case
from app.cases.states import CaseState
from app.core.db import utcnow
from app.extensions import db
from app.engagements.models import Engagement
from tests.conftest import in_tenant
from tests.coverage.builders import call_for, count_statements, menu_item, municipalities, other_tenant, support

API = "/t/fukushima/api/v1"


def _publish(call) -> None:
    # The menus domain owns publication; here only the published timestamp matters.
    call.menu_published_at = utcnow()


def test_municipalities(client):
    response = client.get(f"{API}/municipalities")
    assert response.status_code == 200 and response.is_json
    items = response.get_json()["items"]
    assert len(items) == 59
    assert [i["lg_code"] for i in items] == sorted(i["lg_code"] for i in items)
    assert items[0] == {"lg_code": "072010", "name": "福島市", "kana": "ふくしまし", "kind": "市", "region": "県北", "area": "中通り"}
    assert {i["kind"] for i in items} == {"市", "町", "村"}
    assert {i["region"] for i in items} == {"県北", "県中", "県南", "会津", "南会津", "相双", "いわき"}


def test_menu_is_only_the_published_numbered_items(app, client):
    with in_tenant(app) as tenant:
        call = call_for(tenant, 2024)
        menu_item(tenant, call, number=2, title="ＲＰＡ実証確認", categories=("RPA",), provider_name="株式会社ふくしまRPA")
        menu_item(tenant, call, number=1, title="情報セキュリティポリシー見直し")
        menu_item(tenant, call, number=None, title="未採番の項目")
        _publish(call)
        db.session.commit()
    body = client.get(f"{API}/menu?fiscal_year=2024").get_json()
    assert body["fiscal_year"] == 2024
    assert [i["number"] for i in body["items"]] == [1, 2]
    assert body["items"][1] == {"number": 2, "title": "ＲＰＡ実証確認", "categories": ["RPA"],
                                "provider": "株式会社ふくしまRPA", "format": "hybrid"}


def test_menu_defaults_to_the_newest_published(app, client):
    with in_tenant(app) as tenant:
        for fy in (2023, 2024):
            call = call_for(tenant, fy)
            menu_item(tenant, call, title=f"{fy}年度の項目")
            _publish(call)
        menu_item(tenant, call_for(tenant, 2025), title="未公開の項目")
        db.session.commit()
    body = client.get(f"{API}/menu").get_json()
    assert body["fiscal_year"] == 2024 and body["items"][0]["title"] == "2024年度の項目"
    assert client.get(f"{API}/menu?fiscal_year=2023").get_json()["fiscal_year"] == 2023
    unpublished = client.get(f"{API}/menu?fiscal_year=2025")
    assert unpublished.status_code == 404 and unpublished.get_json()["error"]


def test_menu_without_any_published_is_404_json(client):
    response = client.get(f"{API}/menu")
    assert response.status_code == 404
    assert response.get_json() == {"error": "公開されている支援メニューがありません。"}


def test_bad_fiscal_year_is_400_json(client):
    for path in ("menu", "coverage"):
        response = client.get(f"{API}/{path}?fiscal_year=abc")
        assert response.status_code == 400
        assert "年度" in response.get_json()["error"]


def test_unknown_tenant_is_404_json(client):
    for path in ("municipalities", "menu", "coverage", "cases"):
        response = client.get(f"/t/nowhere/api/v1/{path}")
        assert response.status_code == 404 and response.is_json
        assert response.get_json()["error"] == "見つかりません。"


def test_coverage(app, client):
    with in_tenant(app) as tenant:
        m = municipalities()
        support(tenant, 2021, m[50:59])  # before the window
        support(tenant, 2022, m[:19])
        support(tenant, 2023, m[10:30])
        support(tenant, 2024, m[25:45])
        covered = {x.lg_code for x in m[:45]}
        recent = {x.lg_code for x in m[10:45]}
        all_codes = sorted(x.lg_code for x in m)
        regions = Counter(x.region for x in m)
        covered_regions = Counter(x.region for x in m[:45])
        evacuated_covered = sum(1 for x in m[:45] if x.is_evacuation_area)
        db.session.commit()
    body = client.get(f"{API}/coverage?fiscal_year=2024").get_json()
    assert body["fiscal_year"] == 2024 and body["window"] == [2022, 2024]
    assert body["municipalities_total"] == 59 and body["covered_in_window"] == 45
    assert body["by_year"] == {"2022": 19, "2023": 20, "2024": 20}
    assert body["never_supported"] == [c for c in all_codes if c not in covered]
    assert client.get(f"{API}/coverage").get_json()["fiscal_year"] == 2024  # newest call
    # breakdowns by the 7 regions and 3 areas, each {total, covered}; they add up to the whole
    assert set(body["by_region"]) == {"県北", "県中", "県南", "会津", "南会津", "相双", "いわき"}
    assert set(body["by_area"]) == {"中通り", "会津", "浜通り"}
    for shape in (body["by_region"], body["by_area"]):
        assert sum(v["total"] for v in shape.values()) == 59
        assert sum(v["covered"] for v in shape.values()) == 45
    assert body["by_region"]["県北"] == {"total": regions["県北"], "covered": covered_regions["県北"]}
    assert body["focus_group"] == {"label": "避難地域12市町村", "total": 12, "covered": evacuated_covered}
    assert "evacuation_area" not in body  # replaced by focus_group (README, Open data API)
    # priority for FY2025: not supported in FY2023–FY2024 (001:170)
    assert body["priority_fiscal_year"] == 2025
    assert body["priority_next"] == sorted(c for c in all_codes if c not in recent)


def _case(tenant, engagement, state: CaseState, title: str, published_at=None) -> Case:
    case = Case(tenant_id=tenant.id, engagement_id=engagement.id, fiscal_year=engagement.fiscal_year, state=state,
                title=title, key_points=["情報セキュリティポリシーを改定", "職員研修を実施"], overview=["現状を調査"],
                outcomes="ポリシーを改定した。", dx_step=1, categories=["SEC"], population=5830,
                population_basis="住民基本台帳（令和6年1月1日）", related_url="https://example.jp/case",
                published_at=published_at)
    db.session.add(case)
    return case


def test_cases_are_only_the_published_ones(app, client):
    published_at = dt.datetime(2025, 3, 10, 1, 30, tzinfo=dt.timezone.utc)
    with in_tenant(app) as tenant:
        m = municipalities()
        engagements = support(tenant, 2024, m[:3])
        _case(tenant, engagements[0], CaseState.PUBLISHED, "事例：セキュリティポリシーの見直し【福島県福島市】", published_at)
        _case(tenant, engagements[1], CaseState.APPROVED, "事例：承認済み【福島県会津若松市】")
        _case(tenant, engagements[2], CaseState.DRAFT, "事例：下書き【福島県郡山市】")
        db.session.commit()
        case_id = db.session.scalar(sa.select(Case.id).where(Case.state == CaseState.PUBLISHED))
    items = client.get(f"{API}/cases").get_json()["items"]
    assert len(items) == 1
    item = items[0]
    assert item["id"] == case_id and item["title"].endswith("【福島県福島市】")
    assert item["municipality"] == {"lg_code": "072010", "name": "福島市"}
    assert item["menu_item"] == "情報セキュリティポリシー見直し" and item["provider"] == "テスト情報システム株式会社"
    assert (item["fiscal_year"], item["dx_step"], item["categories"], item["population"]) == (2024, 1, ["SEC"], 5830)
    assert item["key_points"][0] == "情報セキュリティポリシーを改定" and item["overview"] == ["現状を調査"]
    assert item["outcomes"] == "ポリシーを改定した。" and item["related_url"] == "https://example.jp/case"
    assert dt.datetime.fromisoformat(item["published_at"]) == published_at


def test_cases_statement_count_does_not_grow(app, client):
    with in_tenant(app) as tenant:
        engagements = support(tenant, 2024, municipalities()[:6])
        _case(tenant, engagements[0], CaseState.PUBLISHED, "事例：1", utcnow())
        db.session.commit()
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as few:
        assert len(client.get(f"{API}/cases").get_json()["items"]) == 1
    with in_tenant(app) as tenant:
        uncased = db.session.scalars(sa.select(Engagement).where(Engagement.id.not_in(sa.select(Case.engagement_id)))).all()
        for i, engagement in enumerate(uncased):
            _case(tenant, engagement, CaseState.PUBLISHED, f"事例：{i + 2}", utcnow())
        db.session.commit()
    with count_statements(engine) as many:
        assert len(client.get(f"{API}/cases").get_json()["items"]) == 6
    assert len(few) == len(many)


def test_other_tenant_sees_only_its_own(app, client):
    with in_tenant(app) as tenant:
        call = call_for(tenant, 2024)
        menu_item(tenant, call, title="福島の項目")
        _publish(call)
        other_tenant(n_municipalities=2)
        db.session.commit()
    body = client.get("/t/other/api/v1/municipalities").get_json()
    assert [i["name"] for i in body["items"]] == ["静岡市", "浜松市"]
    assert client.get("/t/other/api/v1/menu").status_code == 404
    assert client.get("/t/other/api/v1/cases").get_json() == {"items": []}
    assert client.get("/t/other/api/v1/coverage?fiscal_year=2024").get_json()["municipalities_total"] == 2
