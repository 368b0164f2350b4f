"""The operator's reporting in the browser over the demo (issue 5, done when): the coverage page and
the tile map agree on who was never supported in the window, the matrix and the 年度別実績 figures
go out to Excel, and a past-years workbook built from the downloaded template comes in — a wrong
one is rejected with sheet/row/column messages and changes nothing, a right one updates the
figures. Viewport screenshots: test-artifacts/e2e/7-reporting-*.png."""

import openpyxl
import pytest
import sqlalchemy as sa

from app.calls.models import Call
from app.engagements.models import Engagement
from app.extensions import db
from tests.conftest import in_tenant
from tests.e2e.conftest import ARTIFACTS, Actor

pytestmark = pytest.mark.e2e
PASSWORD = "demo-pass-2024"
PROVIDER = "サンプルクラウド株式会社"
FUKUSHIMA_CITY, MISHIMA, CHIYODA_TOKYO = "072010", "074446", "131016"  # 千代田区: valid code, not in Fukushima


@pytest.fixture
def app(demo_app):
    """The live server serves the demo (uploads are stored under the test's tmp dir, tests/conftest.py)."""
    return demo_app


def _shot(actor: Actor, label: str, focus: str | None = None) -> None:
    """A viewport screenshot, scrolled to `focus` (a CSS selector) when given."""
    if focus:
        actor.page.locator(focus).first.scroll_into_view_if_needed()
    actor.shots += 1
    actor.page.screenshot(path=str(ARTIFACTS / f"{actor.name}-{actor.shots:02d}-{label}.png"))


def _download(page, link_name: str, target):
    """Click the link named `link_name`, save the file it downloads to `target`, open it."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    info.value.save_as(target)
    return openpyxl.load_workbook(target)


def _never_on_coverage_page(page) -> set[str]:
    heading = page.get_by_role("heading", name="期間内未支援の市町村")
    items = heading.locator("xpath=following-sibling::*[1][self::p]/following-sibling::*[1][self::ul]/li")
    return {text.split("（")[0].strip() for text in items.all_inner_texts()}


def _not_in_window_on_map(page) -> set[str]:
    rows = page.locator("table.tile-map-table tr[data-status='earlier'], table.tile-map-table tr[data-status='never']")
    return {row.locator("th").inner_text().strip() for row in rows.all()}


def _check_coverage_agrees(operator: Actor, fiscal_year: int) -> set[str]:
    """Never supported in the window: the coverage page's list == the map table's earlier/never rows."""
    page = operator.go(f"/t/fukushima/coverage?fiscal_year={fiscal_year}")
    never = _never_on_coverage_page(page)
    count = page.locator("ul.summary li", has_text="期間内未支援").locator(".value").inner_text()
    assert int(count) == len(never)
    _shot(operator, f"coverage-{fiscal_year}", "h2:has-text('期間内未支援の市町村')")
    page = operator.go(f"/t/fukushima/coverage/map?fiscal_year={fiscal_year}")
    page.get_by_text("市町村別の一覧（表）").click()
    assert _not_in_window_on_map(page) == never
    assert page.locator("svg.tile-map [data-status]").count() == page.locator("table.tile-map-table tbody tr").count()
    _shot(operator, f"map-{fiscal_year}", "svg.tile-map")
    return never


def _figures_column(page, metric: str) -> dict[str, str]:
    """`{year header (令和n年度): value}` of one metric row of the 年度別実績 table."""
    years = page.locator("table.figures-table thead th").all_inner_texts()[2:]
    values = page.locator(f"table.figures-table tr[data-metric='{metric}'] td.num").all_inner_texts()
    return dict(zip(years, values, strict=True))


def _exports(operator: Actor, tmp_path) -> None:
    page = operator.go("/t/fukushima/coverage?fiscal_year=2024")
    matrix = _download(page, "市町村×年度の表をExcel出力", tmp_path / "matrix.xlsx").active
    header = [c.value for c in matrix[1]]
    assert header[:4] == ["地域", "地方", "全国地方公共団体コード", "市町村"] and "令和6年度" in header
    assert matrix.max_row - 1 == page.locator("table.matrix tbody th[scope='row']").count()
    page = operator.go("/t/fukushima/coverage/figures")
    _shot(operator, "figures", "figure.chart")
    figures = _download(page, "年度別実績をExcel出力", tmp_path / "figures.xlsx").active
    header = [c.value for c in figures[1]]
    assert header[:3] == ["年度", "支援した市町村数（市町村）", "支援案件数（件）"]
    fy2024 = next(row for row in figures.iter_rows(min_row=2, values_only=True) if row[0] == 2024)
    assert fy2024[1:3] == (41, 45)


def _workbook(operator: Actor, tmp_path, name: str, rows: list[list]):
    """The past-engagements template downloaded through the page, with `rows` filled in."""
    page = operator.go("/t/fukushima/imports")
    workbook = _download(page, "過去年度の支援実績のテンプレート（.xlsx）", tmp_path / "template.xlsx")
    sheet = workbook["過去実績"]
    assert [c.value for c in sheet[1]][:2] == ["年度", "市町村コード"]
    for row in rows:
        sheet.append(row)
    workbook.save(tmp_path / name)
    return tmp_path / name


def _upload(operator: Actor, path):
    page = operator.go("/t/fukushima/imports")
    page.get_by_label("取り込むデータ").select_option(label="過去年度の支援実績")
    page.get_by_label("Excelファイル（.xlsx）").set_input_files(str(path))
    page.get_by_role("button", name="アップロードして内容を確認").click()
    page.wait_for_load_state()
    return page


def _counts(app) -> tuple[int, int]:
    with in_tenant(app):
        return (db.session.scalar(sa.select(sa.func.count()).select_from(Engagement)),
                db.session.scalar(sa.select(sa.func.count()).select_from(Call)))


def _row(fiscal_year: str, lg_code: str, title: str) -> list:
    return [fiscal_year, lg_code, "", title, PROVIDER, "終了", 1200]


def test_operator_reads_coverage_exports_and_imports_past_years(browser, live_server, app, tmp_path):
    operator = Actor(browser, live_server, "7-reporting")
    operator.login("operator@demo.example", PASSWORD)

    # coverage and map agree: FY2024 supported everyone in its window; FY2025 leaves some out
    assert _check_coverage_agrees(operator, 2024) == set()
    assert _check_coverage_agrees(operator, 2025)

    _exports(operator, tmp_path)

    # a workbook with an unknown code is rejected row by row, and nothing changes
    before = _counts(app)
    bad = _workbook(operator, tmp_path, "bad.xlsx", [_row("2021", FUKUSHIMA_CITY, "庁内ネットワーク点検"),
                                                     _row("2021", CHIYODA_TOKYO, "庁内ネットワーク点検")])
    page = _upload(operator, bad)
    errors = page.get_by_role("alert")
    assert "エラーが1件あるため、何も取り込んでいません" in errors.inner_text()
    assert "シート『過去実績』 3行目 B列（市町村コード）：市町村コードが見つかりません（131016）" in errors.inner_text()
    assert page.get_by_role("button", name="取り込む").count() == 0
    _shot(operator, "import-errors")
    assert _counts(app) == before

    # a right one: dry run first (nothing written), then 取り込む; the figures show 令和3年度
    good = _workbook(operator, tmp_path, "good.xlsx", [_row("令和3年度", FUKUSHIMA_CITY, "庁内ネットワーク点検"),
                                                       _row("2021", MISHIMA, "庁内ネットワーク点検")])
    page = _upload(operator, good)
    assert "確認待ち" in page.content() and "令和3年度の募集を終了済みの過去年度として作成します" in page.content()
    assert page.locator("ul.summary li", has_text="新規").locator(".value").inner_text() == "2"
    _shot(operator, "import-preview")
    assert _counts(app) == before
    page.get_by_role("button", name="取り込む").click()
    page.wait_for_load_state()
    assert "取り込みました。" in page.content()
    page = operator.go("/t/fukushima/coverage/figures")
    assert _figures_column(page, "municipalities")["令和3年度"] == "2"
    assert _figures_column(page, "engagements")["令和3年度"] == "2"
    assert _figures_column(page, "municipalities")["令和6年度"] == "41"
    _shot(operator, "figures-after-import", "table.figures-table")
