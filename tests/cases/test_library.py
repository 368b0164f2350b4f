"""The public case library: Japanese search and filters, the yearly 事例集 booklet (HTML and .xlsx)
and the open-data API — published cases only, held-back fields nowhere."""
import io

import pytest
from openpyxl import load_workbook

from app.cases.search import normalise
from app.cases.services import create_case_draft, transition_case, update_case
from app.cases.states import CaseState
from app.extensions import db
from tests.cases import helpers
from tests.conftest import in_tenant
from tests.engagements import builders

BASE = "/t/fukushima"
SECRET_OUTCOME, SECRET_URL = "庁内の極秘成果", "https://example.jp/secret"


def _publish(tenant, held_back=None, fields=None, **kwargs):
    case = create_case_draft(builders.completed(tenant, **kwargs), actor=None)
    if fields:
        update_case(case, actor=None, **fields)
    for target in helpers.PATH[1:]:
        transition_case(case, target, actor=None, held_back=held_back)
    return case


@pytest.fixture
def library(app):
    with in_tenant(app) as t:
        held = _publish(t, ["outcomes", "population", "related_url", "provider"], lg_code="072036",
                        title="ＲＰＡ導入支援", provider_name="秘匿システム株式会社",
                        fields={"outcomes": SECRET_OUTCOME, "population": 310000, "related_url": SECRET_URL})
        open_case = _publish(t, lg_code=builders.AIZU, title="窓口のデジタル化")
        old = _publish(t, lg_code="072044", title="テレワーク導入", fiscal_year=2023)
        helpers.case_in(t, CaseState.APPROVED, lg_code="072052", title="未公開のデジタル化")
        db.session.commit()
        return {"held": held.id, "open": open_case.id, "old": old.id}


def _titles(client, query=""):
    page = client.get(f"{BASE}/cases?{query}").get_data(as_text=True)
    return {name for name in ("郡山市", "会津若松市", "いわき市", "白河市") if f"【福島県{name}】" in page}


def test_normalise_folds_width_case_and_kana():
    assert normalise("ＲＰＡ　デジタル化 ﾃﾞｼﾞﾀﾙ") == "rpa でじたる化 でじたる"


@pytest.mark.parametrize(("q", "found"), [
    ("デジタル", {"会津若松市"}), ("でじたる", {"会津若松市"}), ("ﾃﾞｼﾞﾀﾙ", {"会津若松市"}),
    ("rpa", {"郡山市"}), ("ＲＰＡ 郡山", {"郡山市"}), ("rpa 会津", set()), ("100%", set()), ("_", set()),
    (SECRET_OUTCOME, set()), ("秘匿システム", set()), ("", {"郡山市", "会津若松市", "いわき市"}),
])
def test_search_matches_every_term_in_public_text_only(client, library, q, found):
    assert _titles(client, f"q={q}") == found


@pytest.mark.parametrize(("query", "found"), [
    ("region=会津", {"会津若松市"}), ("area=中通り", {"郡山市"}), ("area=浜通り", {"いわき市"}),
    ("fiscal_year=2023", {"いわき市"}), ("menu_item=窓口のデジタル化", {"会津若松市"}),
])
def test_filters_by_region_area_year_and_menu_item(client, library, query, found):
    assert _titles(client, query) == found


def test_held_back_fields_are_absent_from_the_public_page_and_the_api(client, library):
    page = client.get(f"{BASE}/cases/{library['held']}").get_data(as_text=True)
    assert "ＲＰＡ導入支援" in page
    for secret in (SECRET_OUTCOME, SECRET_URL, "31.0万人", "秘匿システム株式会社"):
        assert secret not in page
    items = {i["id"]: i for i in client.get(f"{BASE}/api/v1/cases").get_json()["items"]}
    assert set(items) == set(library.values())
    held, shown = items[library["held"]], items[library["open"]]
    assert held["outcomes"] is None and held["population"] is None and held["related_url"] is None
    assert held["provider"] is None and SECRET_OUTCOME not in str(held) and "秘匿" not in str(held)
    assert shown["provider"] == "テスト情報システム株式会社" and shown["organisations"] == ["福島県会津若松市"]
    assert {"title", "key_points", "overview", "dx_step", "categories", "fiscal_year", "menu_item",
            "survey_solved"} <= set(shown) and shown["survey_solved"] is None


def test_booklet_lists_the_published_cases_of_the_year_in_html(client, library):
    response = client.get(f"{BASE}/cases/booklet?fiscal_year=2024")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "令和6年度" in page and "事例集" in page and "目次" in page
    contents = page[page.index('id="contents-title"'):page.index('class="booklet-page"')]
    assert contents.index("【福島県会津若松市】") < contents.index("【福島県郡山市】")  # by municipality code
    assert "いわき市" not in page and "未公開" not in page and page.count('class="booklet-page"') == 2
    assert "課題解決につながった" in page
    for secret in (SECRET_OUTCOME, SECRET_URL, "秘匿システム株式会社"):
        assert secret not in page
    assert client.get(f"{BASE}/cases/booklet?fiscal_year=2019").status_code == 404


def test_booklet_xlsx_has_the_same_cases_without_held_back_fields(client, library):
    html = client.get(f"{BASE}/cases/booklet?fiscal_year=2024").get_data(as_text=True)
    response = client.get(f"{BASE}/cases/booklet.xlsx?fiscal_year=2024")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.data))
    rows = list(workbook["事例"].iter_rows(min_row=2, values_only=True))
    titles = [row[1] for row in rows]
    contents = html[html.index('id="contents-title"'):html.index('class="booklet-page"')]
    assert titles == sorted(titles, key=contents.index) and len(titles) == 2
    cells = " ".join(str(v) for row in rows for v in row if v is not None)
    for secret in (SECRET_OUTCOME, SECRET_URL, "秘匿システム株式会社"):
        assert secret not in cells
    cover = dict(workbook["表紙"].iter_rows(min_row=2, values_only=True))
    assert cover["年度"] == "令和6年度" and cover["掲載事例数"] == 2
