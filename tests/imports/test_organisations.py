"""Excel imports of 組織管理: providers (member companies / experts with themes) and the other
applicant bodies (教育委員会・商工会): preview counts, errors naming sheet, row and column with
nothing written, all-or-nothing apply, audit."""
from __future__ import annotations

import io

import openpyxl
import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.extensions import db
from app.imports.models import ImportRun
from app.imports.states import ImportKind, ImportState
from app.tenancy.models import Organisation, OrganisationKind
from tests.conftest import in_tenant
from tests.imports.helpers import confirm, from_template, preview, xlsx
from tests.organisations.conftest import count_orgs, org_named, set_rules

EXPERTS = ["名称", "よみがな", "テーマ", "分類", "実施形式"]
BODIES = ["種別", "名称", "よみがな", "地域", "地方"]


def _actions(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def test_member_companies_import_new_then_unchanged(app, tmp_path):
    with in_tenant(app) as tenant:
        before = count_orgs()
        data = from_template(tenant, ImportKind.PROVIDERS, [["会津DX株式会社", "あいづでぃーえっくす"], ["浜通りIT合同会社", ""]])
        run = preview(tenant, ImportKind.PROVIDERS, data, tmp_path)
        assert run.state == ImportState.PREVIEWED and (run.summary["new"], run.summary["updated"]) == (2, 0)
        assert count_orgs() == before and org_named("会津DX株式会社") is None  # a preview writes nothing
        confirm(run, tenant, tmp_path)
        db.session.commit()
        org = org_named("会津DX株式会社")
        assert (org.kind, org.kana, org.is_active, org.themes) == (OrganisationKind.PROVIDER, "あいづでぃーえっくす", True, [])
        assert len(_actions("organisation.create")) == 2 and _actions("import.apply")
        again = preview(tenant, ImportKind.PROVIDERS, data, tmp_path)
        assert (again.summary["new"], again.summary["updated"], again.summary["unchanged"]) == (0, 0, 2)


def test_member_company_rows_must_not_carry_themes_and_the_template_has_none(app, tmp_path):
    with in_tenant(app) as tenant:
        workbook = openpyxl.load_workbook(io.BytesIO(from_template(tenant, ImportKind.PROVIDERS, [])))
        assert [c.value for c in workbook["提供者"][1]] == ["名称", "よみがな"] and "記入方法" in workbook.sheetnames


def test_experts_are_grouped_by_name_and_their_themes_replaced(app, tmp_path):
    set_rules(app, provider_model="expert_themes", call_model="on_demand")
    with in_tenant(app) as tenant:
        rows = [["専門家A", "せんもんかえー", "AI研修", "意識改革・機運醸成、PLAN", "オンライン"],
                ["専門家A", "", "RPA相談", "ORG", "onsite"],
                ["専門家B", "", "計画づくり", "", "対面・オンライン併用"]]
        run = confirm(preview(tenant, ImportKind.PROVIDERS, xlsx("提供者", EXPERTS, rows), tmp_path), tenant, tmp_path)
        db.session.commit()
        assert run.state == ImportState.APPLIED
        assert org_named("専門家A").themes == [
            {"title": "AI研修", "categories": ["MINDSET", "PLAN"], "format": "online"},
            {"title": "RPA相談", "categories": ["ORG"], "format": "onsite"}]
        changed = preview(tenant, ImportKind.PROVIDERS, xlsx("提供者", EXPERTS, rows[:1] + rows[2:]), tmp_path)
        assert (changed.summary["updated"], changed.summary["unchanged"]) == (1, 1)


def test_bad_expert_rows_name_sheet_row_and_column_and_nothing_is_written(app, tmp_path):
    set_rules(app, provider_model="expert_themes", call_model="on_demand")
    with in_tenant(app) as tenant:
        before = count_orgs()
        rows = [["専門家A", "", "AI研修", "MINDSET", "online"],
                ["専門家B", "", "RPA相談", "ZZZ", "online"],
                ["専門家C", "", "", "MINDSET", "電話"]]
        run = preview(tenant, ImportKind.PROVIDERS, xlsx("提供者", EXPERTS, rows), tmp_path)
        assert run.state == ImportState.FAILED
        assert "シート『提供者』 3行目 D列（分類）：分類一覧にありません（ZZZ）" in run.errors
        assert "シート『提供者』 4行目 C列（テーマ）：必須です（登録テーマを1行に1件）" in run.errors
        assert any(e.startswith("シート『提供者』 4行目 E列（実施形式）") for e in run.errors)
        assert count_orgs() == before and org_named("専門家A") is None and not run.stored_name


def test_a_second_commissioned_adviser_is_refused(app, tmp_path):
    set_rules(app, provider_model="commissioned_adviser", call_model="on_demand")
    with in_tenant(app) as tenant:
        rows = [["アドバイザーA", "", "相談", "MINDSET", "hybrid"], ["アドバイザーB", "", "相談", "MINDSET", "hybrid"]]
        run = preview(tenant, ImportKind.PROVIDERS, xlsx("提供者", EXPERTS, rows), tmp_path)
        assert any("委託アドバイザーは1者だけ有効にできます" in e for e in run.errors)
        assert confirm(preview(tenant, ImportKind.PROVIDERS, xlsx("提供者", EXPERTS, rows[:1]), tmp_path),
                       tenant, tmp_path).state == ImportState.APPLIED


def test_bodies_import_for_the_kinds_the_rules_accept(app, tmp_path):
    set_rules(app, applicant_kinds=["municipality", "board_of_education", "chamber_of_commerce"], call_model="on_demand")
    with in_tenant(app) as tenant:
        rows = [["教育委員会", "福島市教育委員会", "", "県北", "中通り"], ["chamber_of_commerce", "会津商工会", "", "会津", ""]]
        run = confirm(preview(tenant, ImportKind.BODIES, xlsx("申込団体", BODIES, rows), tmp_path), tenant, tmp_path)
        db.session.commit()
        assert run.state == ImportState.APPLIED and run.summary["new"] == 2
        assert org_named("会津商工会").kind == OrganisationKind.CHAMBER_OF_COMMERCE
        assert org_named("福島市教育委員会").region == "県北"


def test_bad_body_rows_are_refused_whole(app, tmp_path):
    set_rules(app, applicant_kinds=["municipality", "chamber_of_commerce"], call_model="on_demand")
    with in_tenant(app) as tenant:
        before = count_orgs()
        rows = [["商工会", "会津商工会", "", "会津", ""], ["教育委員会", "福島市教育委員会", "", "", ""],
                ["商工会", "いわき商工会", "", "関東", ""], ["商工会", "会津商工会", "", "", ""]]
        run = preview(tenant, ImportKind.BODIES, xlsx("申込団体", BODIES, rows), tmp_path)
        assert run.state == ImportState.FAILED
        assert "シート『申込団体』 3行目 A列（種別）：次のいずれかにしてください：商工会" in run.errors
        assert any(e.startswith("シート『申込団体』 4行目 D列（地域）：次のいずれかにしてください：県北") for e in run.errors)
        assert "シート『申込団体』 5行目 B列（名称）：同じ種別・名称の団体が上の行にもあります（会津商工会）" in run.errors
        assert count_orgs() == before


def test_bodies_are_refused_where_the_program_takes_municipalities_only(app, tmp_path):
    with in_tenant(app) as tenant:
        run = preview(tenant, ImportKind.BODIES, xlsx("申込団体", BODIES, [["商工会", "会津商工会", "", "", ""]]), tmp_path)
        assert run.errors == ["シート『申込団体』 2行目 A列（種別）：次のいずれかにしてください：（この事業では取り込めません）"]


def test_provider_import_over_http_from_the_organisations_page(app, tmp_path):
    from app.auth.models import Role
    from tests import factories
    from tests.conftest import login

    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()
        data = from_template(tenant, ImportKind.PROVIDERS, [["会津DX株式会社", ""]])
    client = app.test_client()
    login(client, "op@example.jp")
    page = client.get("/t/fukushima/organisations/?kind=provider").get_data(as_text=True)
    assert "/t/fukushima/imports/template?kind=providers" in page and "/t/fukushima/imports?kind=providers" in page
    assert '<option selected value="providers">' in client.get("/t/fukushima/imports?kind=providers").get_data(as_text=True)
    template = client.get("/t/fukushima/imports/template?kind=providers")
    assert template.status_code == 200 and "記入方法" in openpyxl.load_workbook(io.BytesIO(template.data)).sheetnames
    response = client.post("/t/fukushima/imports", data={"kind": "providers", "file": (io.BytesIO(data), "x.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with in_tenant(app):
        run = db.session.scalar(sa.select(ImportRun))
    assert client.post(f"/t/fukushima/imports/{run.id}/confirm").status_code == 302
    with in_tenant(app):
        assert db.session.scalar(sa.select(Organisation).where(Organisation.name == "会津DX株式会社")).is_active
