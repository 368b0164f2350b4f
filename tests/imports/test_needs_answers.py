"""Needs-survey answers import: answers land in the needs survey (visible through its queries), a
missing round is created with the calendar window, errors name sheet/row/column and write nothing,
and a re-import of the same workbook changes nothing."""
from __future__ import annotations

import datetime as dt
import io

import openpyxl
import sqlalchemy as sa

from app.auth.models import Role
from app.extensions import db
from app.imports.states import ImportKind, ImportState
from app.needs import queries
from app.needs.models import NeedsSurveyResponse, NeedsSurveyRound
from app.needs.services import record_needs_response, save_needs_round
from tests import factories
from tests.conftest import in_tenant, login
from tests.imports.helpers import confirm, from_template, preview, xlsx

HEADER = ["年度", "市町村コード", "市町村名", "課題分類", "DXのステップ", "分類ごとの自由記述"]
KIND = ImportKind.NEEDS_ANSWERS
URL = "/t/fukushima/imports"


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_answers_are_imported_into_a_new_round_and_reimport_changes_nothing(app, tmp_path):
    with in_tenant(app) as tenant:
        rows = [["令和6年度", "072010", "福島市", "AI活用、RPA", "ステップ2", "議事録の要約\nRPA：給与事務の自動化"],
                [2024, "72028", "", "SEC; PAPER", 0, ""]]
        data = from_template(tenant, KIND, rows)
        run = preview(tenant, KIND, data, tmp_path)
        assert run.state == ImportState.PREVIEWED, run.errors
        assert (run.summary["new"], run.summary["updated"], run.summary["unchanged"]) == (2, 0, 0)
        assert run.summary["notes"] == ["令和6年度のDX課題把握アンケートがないため、回答期間 2024-01-10〜2024-03-31（暦の設定）で作成します"]
        assert _count(NeedsSurveyRound) == 0  # the dry run wrote nothing
        confirm(run, tenant, tmp_path)
        assert run.state == ImportState.APPLIED
        round_ = queries.round_of_year(tenant, 2024)
        assert (round_.opens_on, round_.closes_on) == (dt.date(2024, 1, 10), dt.date(2024, 3, 31))
        [fukushima] = queries.municipality_needs(tenant, factories.municipality("072010"))
        assert (fukushima.categories, fukushima.maturity) == (["AI", "RPA"], 2)
        assert fukushima.comments == {"AI": "議事録の要約", "RPA": "給与事務の自動化"}
        [aizu] = queries.municipality_needs(tenant, factories.municipality("072028"))
        assert (aizu.categories, aizu.maturity, aizu.comments) == (["PAPER", "SEC"], 0, {})
        again = preview(tenant, KIND, data, tmp_path)
        assert (again.summary["new"], again.summary["updated"], again.summary["unchanged"]) == (0, 0, 2)
        assert again.summary["notes"] == []


def test_a_changed_answer_updates_the_existing_one_in_the_existing_round(app, tmp_path):
    with in_tenant(app) as tenant:
        round_ = save_needs_round(tenant, fiscal_year=2025, opens_on=dt.date(2025, 1, 6), closes_on=dt.date(2025, 2, 28), actor=None)
        record_needs_response(round_, factories.municipality("072010"), actor=None, categories=["AI"], maturity=1,
                              comments={}, check_window=False)
        data = xlsx("DX課題把握アンケート", HEADER, [[2025, "072010", "福島市", "AI", "ステップ3：重点取組の計画的な実行の段階", ""]])
        run = confirm(preview(tenant, KIND, data, tmp_path), tenant, tmp_path)
        assert run.state == ImportState.APPLIED and run.summary["updated"] == 1 and run.summary["notes"] == []
        assert _count(NeedsSurveyRound) == 1 and _count(NeedsSurveyResponse) == 1
        assert queries.municipality_needs(tenant, factories.municipality("072010"))[0].maturity == 3
        assert (round_.opens_on, round_.closes_on) == (dt.date(2025, 1, 6), dt.date(2025, 2, 28))  # dates kept


def test_errors_name_sheet_row_and_column_and_nothing_is_written(app, tmp_path):
    with in_tenant(app) as tenant:
        data = xlsx("DX課題把握アンケート", HEADER, [
            [2024, "072010", "福島市", "AI活用", 1, ""],  # valid, but not written either
            [2024, "072028", "", "AI活用、宇宙開発", 1, ""],
            [2024, "072036", "", "AI活用", 7, ""],
            [2024, "072044", "郡山市", "AI活用", 1, ""],
            ["昔", "072010", "", "AI活用", 1, ""],
        ])
        run = preview(tenant, KIND, data, tmp_path)
        assert run.state == ImportState.FAILED and run.stored_name == ""
        assert "シート『DX課題把握アンケート』 3行目 D列（課題分類）：分類一覧にない分類があります：宇宙開発" in run.errors
        assert any(e.startswith("シート『DX課題把握アンケート』 4行目 E列（DXのステップ）：次のいずれかにしてください：0（ステップ0")
                   and e.endswith("（7）") for e in run.errors)
        assert "シート『DX課題把握アンケート』 5行目 C列（市町村名）：市町村コード 072044 は「いわき市」です（郡山市）" in run.errors
        assert "シート『DX課題把握アンケート』 6行目 A列（年度）：年度を 2025 や 令和7年度 の形で入力してください（昔）" in run.errors
        assert len(run.errors) == 4
        assert _count(NeedsSurveyRound) == 0 and _count(NeedsSurveyResponse) == 0


def test_comments_for_a_category_not_chosen_and_repeated_rows_are_refused(app, tmp_path):
    with in_tenant(app) as tenant:
        data = xlsx("DX課題把握アンケート", HEADER, [
            [2024, "072010", "", "AI活用", 1, "生成AI\nRPA：選んでいない分類"],
            [2024, "072028", "", "AI活用", 1, ""],
            ["令和6年度", "072028", "", "RPA", 2, ""],
        ])
        run = preview(tenant, KIND, data, tmp_path)
        assert run.errors == [
            "シート『DX課題把握アンケート』 2行目 F列（分類ごとの自由記述）：選んでいない分類へのコメントは入力できません。",
            "シート『DX課題把握アンケート』 4行目 B列（市町村コード）：同じ年度・市町村の行が上にもあります（会津若松市）",
        ]


def test_template_explains_the_columns(app):
    with in_tenant(app) as tenant:
        workbook = from_template(tenant, KIND, [])
        sheets = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)
        assert [c.value for c in next(sheets["DX課題把握アンケート"].iter_rows(max_row=1))] == HEADER
        help_rows = {r[0]: r[2] for r in sheets["記入方法"].iter_rows(min_row=2, values_only=True)}
        assert "1（ステップ1：全体方針の決定の段階）" in help_rows["DXのステップ"]
        assert "分類名：本文" in help_rows["分類ごとの自由記述"]


def test_operator_imports_over_http_and_municipal_staff_see_their_answer(app):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", factories.municipality("072010"))
        db.session.commit()
        data = from_template(tenant, KIND, [[2024, "072010", "福島市", "AI活用", 2, "議事録の要約"]])
    operator = app.test_client()
    login(operator, "op@example.jp")
    assert "DX課題把握アンケートの回答のテンプレート" in operator.get(URL).get_data(as_text=True)
    assert operator.get(f"{URL}/template?kind=needs_answers").status_code == 200
    response = operator.post(URL, data={"kind": "needs_answers", "file": (io.BytesIO(data), "回答.xlsx")},
                             content_type="multipart/form-data")
    preview_page = operator.get(response.headers["Location"]).get_data(as_text=True)
    assert "令和6年度 福島市（ステップ2：推進体制・人材の整備の段階）" in preview_page
    assert "令和6年度のDX課題把握アンケートがないため" in preview_page
    assert operator.post(response.headers["Location"] + "/confirm").status_code == 302
    municipal = app.test_client()
    login(municipal, "muni@example.jp")
    answer_page = municipal.get("/t/fukushima/needs/answer?fiscal_year=2024").get_data(as_text=True)
    assert "議事録の要約" in answer_page
