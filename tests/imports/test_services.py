"""Importers through the services: dry run writes nothing, errors name sheet/row/column and leave
everything as it was, confirmation re-validates, past years feed coverage and priority."""
from __future__ import annotations

import sqlalchemy as sa

from app.calls.models import Call
from app.calls.services import create_call
from app.calls.states import CallPhase
from app.coverage.queries import coverage_summary
from app.engagements.models import Engagement
from app.engagements.states import EngagementState
from app.extensions import db
from app.imports.states import ImportKind, ImportState
from app.menus.models import MenuItem
from app.tenancy.models import Organisation
from tests import factories
from tests.conftest import in_tenant
from tests.imports.helpers import confirm, from_template, preview, xlsx

MUNI_HEADER = ["市町村コード", "市町村名", "よみがな", "市町村区分", "郡", "地域", "地方", "避難地域12市町村"]
PAST_HEADER = ["年度", "市町村コード", "市町村名", "支援メニュー名", "会員企業名", "状態"]
PROVIDER = "テスト情報システム株式会社"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_municipalities_upsert_by_lg_code_after_a_dry_run(app, tmp_path):
    with in_tenant(app) as tenant:
        data = from_template(tenant, ImportKind.MUNICIPALITIES, [
            ["072010", "福島市", "ふくしまし", "市", "", "県北", "中通り", "0"],  # unchanged
            ["072028", "会津若松市（改）", "あいづわかまつし", "市", "", "会津", "会津", "1"],  # updated
            ["079995", "サンプル村", "さんぷるむら", "村", "サンプル郡", "会津", "会津", ""],  # new (valid check digit)
        ])
        before = _count(Organisation)
        run = preview(tenant, ImportKind.MUNICIPALITIES, data, tmp_path)
        assert run.state == ImportState.PREVIEWED and run.errors == []
        assert (run.summary["new"], run.summary["updated"], run.summary["unchanged"]) == (1, 1, 1)
        assert _count(Organisation) == before  # the dry run wrote nothing
        confirm(run, tenant, tmp_path)
        assert run.state == ImportState.APPLIED
        new = factories.municipality("079995")
        assert (new.name, new.district, new.is_evacuation_area) == ("サンプル村", "サンプル郡", False)
        assert factories.municipality("072028").name == "会津若松市（改）"
        assert factories.municipality("072028").is_evacuation_area is True


def test_errors_name_sheet_row_and_column_and_nothing_is_written(app, tmp_path):
    with in_tenant(app) as tenant:
        data = xlsx("市町村", MUNI_HEADER, [
            ["072010", "福島市（変更）", "", "市", "", "県北", "中通り", "0"],
            [None, None, None, None, None, None, None, None],
            ["072011", "誤り市", "", "区", "", "北海道", "中通り", "2"],
        ])
        run = preview(tenant, ImportKind.MUNICIPALITIES, data, tmp_path)
        assert run.state == ImportState.FAILED and run.stored_name == ""
        assert "シート『市町村』 4行目 A列（市町村コード）：6桁の全国地方公共団体コード（検査数字が正しいもの）にしてください（072011）" in run.errors
        assert "シート『市町村』 4行目 D列（市町村区分）：市・町・村のいずれかにしてください" in run.errors
        assert any(e.startswith("シート『市町村』 4行目 F列（地域）：次のいずれかにしてください：県北") for e in run.errors)
        assert any(e.startswith("シート『市町村』 4行目 H列（避難地域12市町村）") for e in run.errors)
        assert factories.municipality("072010").name == "福島市"  # the valid row was not written either


def test_a_missing_sheet_or_header_is_reported(app, tmp_path):
    with in_tenant(app) as tenant:
        wrong_sheet = preview(tenant, ImportKind.MUNICIPALITIES, xlsx("Sheet1", MUNI_HEADER, []), tmp_path)
        assert wrong_sheet.errors == ["シート『市町村』がありません（テンプレートのシート名のまま使ってください）"]
        no_kind = preview(tenant, ImportKind.MUNICIPALITIES, xlsx("市町村", MUNI_HEADER[:3], []), tmp_path)
        assert "シート『市町村』 1行目：列『市町村区分』がありません" in no_kind.errors


def test_menu_items_use_the_proposal_form_rules(app, tmp_path):
    with in_tenant(app) as tenant:
        create_call(tenant, fiscal_year=2030, budget_thousand_yen=1000, actor=None)
        factories.provider(tenant, PROVIDER)
        header = ["年度", "件名", "会員企業名", "分類", "内容", "成果物", "実施形態", "対応地域", "対応可能な市町村数", "1件あたりの費用（千円）"]
        good = ["令和12年度", "AI活用入門", PROVIDER, "AI活用、RPA", "内容です", "", "オンライン", "会津", 3, "1,500"]
        bad = [2030, "", "未登録株式会社", "宇宙開発", "内容", "", "郵送", "", 0, -1]
        run = preview(tenant, ImportKind.MENU_ITEMS, xlsx("支援メニュー", header, [good, bad]), tmp_path)
        assert run.state == ImportState.FAILED
        assert "シート『支援メニュー』 3行目 C列（会員企業名）：会員企業が見つかりません（未登録株式会社）" in run.errors
        assert any(e.startswith("シート『支援メニュー』 3行目 B列（件名）：件名を入力してください") for e in run.errors)
        assert any(e.startswith("シート『支援メニュー』 3行目 G列（実施形態）：実施形態は一覧から選んでください") for e in run.errors)
        assert any(e.startswith("シート『支援メニュー』 3行目 I列（対応可能な市町村数）") for e in run.errors)
        run = preview(tenant, ImportKind.MENU_ITEMS, xlsx("支援メニュー", header, [good]), tmp_path)
        confirm(run, tenant, tmp_path)
        item = db.session.scalar(sa.select(MenuItem).where(MenuItem.title == "AI活用入門"))
        assert (item.categories, item.format, item.regions_served, item.capacity, item.unit_cost_thousand_yen, item.number) == (
            ["AI", "RPA"], "online", ["会津"], 3, 1500, None)


def test_menu_items_of_a_published_menu_are_refused(app, tmp_path):
    with in_tenant(app) as tenant:
        call = create_call(tenant, fiscal_year=2030, budget_thousand_yen=0, actor=None)
        call.menu_published_at = call.created_at
        factories.provider(tenant, PROVIDER)
        data = from_template(tenant, ImportKind.MENU_ITEMS, [[2030, "件名", PROVIDER, "AI活用", "内容", "", "対面", "", 1, 0]])
        run = preview(tenant, ImportKind.MENU_ITEMS, data, tmp_path)
        assert run.errors == ["シート『支援メニュー』 2行目 A列（年度）：令和12年度の支援メニューは公開済みのため変更できません"]


def test_past_engagements_create_history_and_feed_coverage_and_priority(app, tmp_path):
    with in_tenant(app) as tenant:
        factories.provider(tenant, PROVIDER)
        rows = [[2022, "072010", "福島市", "業務改善支援", PROVIDER, "終了"],
                [2023, "072028", "会津若松市", "業務改善支援", PROVIDER, "終了"],
                [2023, "072036", "郡山市", "AI導入支援", PROVIDER, "中止"],
                [2023, "072028", "会津若松市", "業務改善支援", PROVIDER, "終了"]]  # repeated: reported, not duplicated
        run = preview(tenant, ImportKind.PAST_ENGAGEMENTS, from_template(tenant, ImportKind.PAST_ENGAGEMENTS, rows), tmp_path)
        assert (run.summary["new"], run.summary["unchanged"]) == (3, 1)
        assert "令和4年度の募集を終了済みの過去年度として作成します" in run.summary["notes"]
        assert _count(Engagement) == 0 and _count(Call) == 0
        confirm(run, tenant, tmp_path)
        calls = {c.fiscal_year: c for c in db.session.scalars(sa.select(Call))}
        assert set(calls) == {2022, 2023} and all(c.phase == CallPhase.CLOSED for c in calls.values())
        states = sorted(e.state for e in db.session.scalars(sa.select(Engagement)))
        assert states == sorted([EngagementState.CLOSED, EngagementState.CLOSED, EngagementState.CANCELLED])
        summary = coverage_summary(tenant, 2024)
        assert summary.covered_in_window == 2  # 中止 never counts
        priority = {o.lg_code for o in summary.priority_next}  # FY2025: none in FY2023–2024
        assert "072028" not in priority and {"072010", "072036"} <= priority
        again = preview(tenant, ImportKind.PAST_ENGAGEMENTS, from_template(tenant, ImportKind.PAST_ENGAGEMENTS, rows), tmp_path)
        assert (again.summary["new"], again.summary["unchanged"]) == (0, 4)


def test_past_engagement_errors_and_nothing_written(app, tmp_path):
    with in_tenant(app) as tenant:
        factories.provider(tenant, PROVIDER)
        rows = [[2022, "072010", "", "業務改善支援", PROVIDER, "終了"],
                [2022, "999999", "", "業務改善支援", PROVIDER, "終了"],
                [2022, "072044", "", "業務改善支援", "別会社", "予定"],
                [2099, "072044", "", "業務改善支援", PROVIDER, "終了"]]
        run = preview(tenant, ImportKind.PAST_ENGAGEMENTS, xlsx("過去実績", PAST_HEADER, rows), tmp_path)
        assert "シート『過去実績』 3行目 B列（市町村コード）：6桁の全国地方公共団体コードにしてください（999999）" in run.errors
        assert "シート『過去実績』 4行目 E列（会員企業名）：会員企業が見つかりません（別会社）" in run.errors
        assert "シート『過去実績』 4行目 F列（状態）：終了、中止、辞退 のいずれかにしてください" in run.errors
        assert "シート『過去実績』 5行目 A列（年度）：過去の年度を入力してください（令和81年度）" in run.errors
        assert _count(Engagement) == 0 and _count(Call) == 0


def test_unknown_but_well_formed_code_is_not_found(app, tmp_path):
    with in_tenant(app) as tenant:
        factories.provider(tenant, PROVIDER)
        run = preview(tenant, ImportKind.PAST_ENGAGEMENTS, xlsx("過去実績", PAST_HEADER,
                                                                [[2022, "011002", "", "件名", PROVIDER, "終了"]]), tmp_path)
        assert run.errors == ["シート『過去実績』 2行目 B列（市町村コード）：市町村コードが見つかりません（011002）"]


def test_confirmation_revalidates_against_the_database_as_it_is_now(app, tmp_path):
    with in_tenant(app) as tenant:
        provider = factories.provider(tenant, PROVIDER)
        data = xlsx("過去実績", PAST_HEADER, [[2022, "072010", "", "業務改善支援", PROVIDER, "終了"]])
        run = preview(tenant, ImportKind.PAST_ENGAGEMENTS, data, tmp_path)
        assert run.state == ImportState.PREVIEWED
        provider.name = "改名した会社"  # changed between preview and confirmation
        db.session.flush()
        confirm(run, tenant, tmp_path)
        assert run.state == ImportState.FAILED
        assert run.errors == [f"シート『過去実績』 2行目 E列（会員企業名）：会員企業が見つかりません（{PROVIDER}）"]
        assert _count(Engagement) == 0 and _count(Call) == 0


def test_a_tampered_stored_file_is_not_applied(app, tmp_path):
    with in_tenant(app) as tenant:
        data = from_template(tenant, ImportKind.MUNICIPALITIES, [["072010", "改ざん市", "", "市", "", "県北", "中通り", "0"]])
        run = preview(tenant, ImportKind.MUNICIPALITIES, data, tmp_path)
        (tmp_path / run.stored_name).write_bytes(data + b"x")
        confirm(run, tenant, tmp_path)
        assert run.state == ImportState.FAILED and "内容が変わっています" in run.errors[0]
        assert factories.municipality("072010").name == "福島市"
