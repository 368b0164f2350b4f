"""No prefecture's concepts in another tenant's pages (issue 13 §5): the sample tenants of the demo
(静岡県-style ICTエキスパート, 宮城県-style 推進アドバイザー) show their own provider label, no
evacuation-area block, no area filter and no Fukushima text; Fukushima keeps its focus group of 12;
applicant staff are named after their body (商工会担当者)."""
import re
from io import BytesIO

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from app.auth.models import Role, User
from app.extensions import db
from app.imports.states import ImportKind
from app.tenancy.labels import applicant_staff_label, place_hint, provider_label
from app.tenancy.models import Organisation, OrganisationKind
from app.tenancy.schema import Rules
from tests.conftest import in_tenant, login
from tests.imports.helpers import from_template

PASSWORD = "demo-pass-2024"
FOREIGN = ("避難地域", "会員企業", "福島")
SAMPLES = {"shizuoka-sample": "ICTエキスパート", "miyagi-sample": "推進アドバイザー"}


def _municipality_id(app, slug: str) -> int:
    with in_tenant(app, slug):
        return db.session.scalar(sa.select(Organisation.id).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
                                 .order_by(Organisation.id))


def _nav_links(html: str, slug: str) -> set[str]:
    """Same-tenant links of a page (navigation and cards), without logout and file downloads."""
    return {h for h in re.findall(r'href="(/t/' + re.escape(slug) + r'/[^"?#]*)', html)
            if not h.endswith((".xlsx", "/logout"))}


def _xlsx_text(response) -> str:
    assert response.status_code == 200, response.status_code
    sheet = load_workbook(BytesIO(response.data), read_only=True).active
    return " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)


@pytest.mark.parametrize("slug", sorted(SAMPLES))
def test_sample_tenant_pages_carry_no_fukushima_concepts(demo_app, slug):
    client = demo_app.test_client()
    login(client, "operator@demo.example", password=PASSWORD, slug=slug)
    base = f"/t/{slug}"
    municipality = _municipality_id(demo_app, slug)
    pages = {path: client.get(base + path) for path in (
        "/", "/menu", "/coverage", "/coverage/map", f"/municipalities/{municipality}", "/cases", "/cases/manage", "/users",
        "/users/invite")}
    for path, response in pages.items():
        assert response.status_code == 200, path
        text = response.get_data(as_text=True)
        assert not [w for w in FOREIGN if w in text], (path, [w for w in FOREIGN if w in text])
    for link in sorted(_nav_links(pages["/"].get_data(as_text=True), slug) - {base + p for p in pages}):
        response = client.get(link)
        text = response.get_data(as_text=True)
        assert response.status_code in (200, 404), link  # 404: a page this program shape does not have
        assert not [w for w in FOREIGN if w in text], (link, [w for w in FOREIGN if w in text])
    assert SAMPLES[slug] in pages["/users/invite"].get_data(as_text=True)  # the provider role, by its label
    cases = pages["/cases"].get_data(as_text=True)
    assert 'name="area"' not in cases  # the tenant has no areas: no area filter
    for path in ("/coverage", "/coverage/map", f"/municipalities/{municipality}"):
        text = pages[path].get_data(as_text=True)
        assert "地方別" not in text and "（未設定）" not in text, path  # no area (region) block where it has none
    api = client.get(f"/t/{slug}/api/v1/coverage").get_json()
    assert "focus_group" not in api and "evacuation_area" not in api and "by_area" not in api
    assert not [w for w in FOREIGN if w in client.get(f"/t/{slug}/api/v1/cases").get_data(as_text=True)]
    matrix = _xlsx_text(client.get(f"{base}/exports/coverage_matrix.xlsx"))
    assert "全国地方公共団体コード" in matrix and not [w for w in (*FOREIGN, "方部") if w in matrix]


def _crawl(client, slug: str) -> int:
    """GET the home page and every same-tenant page it links to; assert none carries FOREIGN text."""
    home = client.get(f"/t/{slug}/").get_data(as_text=True)
    links = _nav_links(home, slug)
    for link in sorted(links):
        response = client.get(link)
        assert response.status_code in (200, 404), link
        found = [w for w in FOREIGN if w in response.get_data(as_text=True)]
        assert not found, (link, found)
    return len(links)


@pytest.mark.parametrize("slug", sorted(SAMPLES))
def test_provider_and_applicant_pages_of_sample_tenants_carry_no_fukushima_concepts(demo_app, slug):
    with in_tenant(demo_app, slug) as tenant:
        emails = db.session.scalars(sa.select(User.email).where(
            User.tenant_id == tenant.id, User.role.in_([Role.PROVIDER, Role.MUNICIPAL])).order_by(User.id)).all()
    chamber = [e for e in emails if e.startswith("body-")][-1:]  # Shizuoka: a 教育委員会 / 商工会 account
    for email in {emails[0], *chamber, *[e for e in emails if e.startswith("provider-")][:1]}:
        client = demo_app.test_client()
        login(client, email, password=PASSWORD, slug=slug)
        assert _crawl(client, slug) >= 3, email


def test_fukushima_keeps_its_focus_group_of_twelve(demo_app):
    client = demo_app.test_client()
    login(client, "operator@demo.example", password=PASSWORD)
    coverage = client.get("/t/fukushima/coverage").get_data(as_text=True)
    assert "<h2>避難地域12市町村</h2>" in coverage and "地方別" in coverage
    api = client.get("/t/fukushima/api/v1/coverage").get_json()
    assert api["focus_group"]["label"] == "避難地域12市町村" and api["focus_group"]["total"] == 12
    assert set(api["by_area"]) == {"中通り", "会津", "浜通り"}
    header = load_workbook(BytesIO(client.get("/t/fukushima/exports/coverage_matrix.xlsx").data), read_only=True).active
    first = [c for c in next(header.iter_rows(max_row=1, values_only=True))]
    assert first[:5] == ["地域", "地方", "全国地方公共団体コード", "市町村", "避難地域12市町村"]
    assert 'name="area"' in client.get("/t/fukushima/cases").get_data(as_text=True)


def test_chamber_of_commerce_staff_are_named_after_their_body(demo_app):
    with in_tenant(demo_app, "shizuoka-sample") as tenant:
        user = db.session.scalar(sa.select(User).join(Organisation, User.organisation_id == Organisation.id)
                                 .where(User.tenant_id == tenant.id, User.role == Role.MUNICIPAL,
                                        Organisation.kind == OrganisationKind.CHAMBER_OF_COMMERCE))
        email, org_name, user_id = user.email, user.organisation.name, user.id
        assert user.role_label == "商工会担当者"
    client = demo_app.test_client()
    login(client, email, password=PASSWORD, slug="shizuoka-sample")
    home = client.get("/t/shizuoka-sample/").get_data(as_text=True)
    assert f"（商工会担当者・{org_name}）" in home and "市町村担当者" not in home
    operator = demo_app.test_client()
    login(operator, "operator@demo.example", password=PASSWORD, slug="shizuoka-sample")
    users = operator.get("/t/shizuoka-sample/users").get_data(as_text=True)
    assert "商工会担当者" in users and "教育委員会担当者" in users and "ICTエキスパート担当者" in users
    audit = operator.get(f"/t/shizuoka-sample/audit?actor={user_id}").get_data(as_text=True)  # its login, by its role
    assert "<td>商工会担当者</td>" in audit


def test_labels_follow_the_tenant(demo_app):
    with in_tenant(demo_app, "shizuoka-sample") as tenant:
        assert provider_label() == "ICTエキスパート" and str(Role.PROVIDER.label) == "ICTエキスパート担当者"
        assert Role.MUNICIPAL.label == "市町村・教育委員会・商工会担当者"
        town = db.session.scalar(sa.select(Organisation).where(Organisation.municipality_kind == "町"))
        assert place_hint(town) == "サンプル県○○町" and applicant_staff_label(town) == "市町村担当者"
    with in_tenant(demo_app) as tenant:
        assert provider_label(tenant) == "会員企業" and Role.MUNICIPAL.label == "市町村担当者"
        assert tenant.focus_group_label == "避難地域12市町村"


@pytest.mark.parametrize(("value", "ok"), [("避難地域12市町村", True), ("", False), ("x" * 41, False), (3, False)])
def test_focus_group_label_is_validated(value, ok):
    if ok:
        assert Rules(focus_group_label=value).focus_group_label == value
    else:
        with pytest.raises(ValueError):
            Rules(focus_group_label=value)


def _template_headers(tenant, kind) -> list[str]:
    sheet = load_workbook(BytesIO(from_template(tenant, kind, [])), read_only=True).worksheets[0]
    return [str(v) for v in next(sheet.iter_rows(max_row=1, values_only=True))]


def test_import_templates_use_the_tenant_labels(demo_app):
    with in_tenant(demo_app, "shizuoka-sample") as tenant:
        assert not [h for h in _template_headers(tenant, ImportKind.MUNICIPALITIES) if "避難" in h]
        assert "ICTエキスパート名" in _template_headers(tenant, ImportKind.PAST_ENGAGEMENTS)
    with in_tenant(demo_app) as tenant:
        assert _template_headers(tenant, ImportKind.MUNICIPALITIES)[-1] == "避難地域12市町村"
        assert "会員企業名" in _template_headers(tenant, ImportKind.PAST_ENGAGEMENTS)


def test_case_hints_name_the_tenants_prefecture_and_the_bodys_kind(demo_app):
    from app.cases.models import Case
    from app.cases.states import CaseState

    with in_tenant(demo_app) as tenant:
        case = db.session.scalars(sa.select(Case).where(Case.tenant_id == tenant.id, Case.state == CaseState.DRAFT)
                                  .order_by(Case.id)).first()
        case_id, kind = case.id, case.engagement.municipality.municipality_kind
    client = demo_app.test_client()
    login(client, "operator@demo.example", password=PASSWORD)
    page = client.get(f"/t/fukushima/cases/{case_id}/edit").get_data(as_text=True)
    assert f"【福島県○○{kind}】" in page and f"例：福島県○○{kind}（取組の概要）" in page
