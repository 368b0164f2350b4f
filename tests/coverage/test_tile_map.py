"""The coverage tile-grid map (GET /t/<slug>/coverage/map): layout, status boundaries, SVG = table."""
import csv
import re
from pathlib import Path

import pytest

from app.auth.models import Role
from app.coverage.tile_map import EARLIER, IN_WINDOW, NEVER, THIS_YEAR, TileLayoutError, classify, parse_layout, place
from app.engagements.states import EngagementState
from app.extensions import db
from app.tenancy.models import Organisation
from tests import factories
from tests.conftest import in_tenant, login
from tests.coverage.builders import cancel, municipalities, support

TENANT_DIR = Path(__file__).resolve().parents[2] / "tenants" / "fukushima"


def read_layout(path: Path) -> dict[str, tuple[int, int]]:
    return {code: (row, col) for code, row, col in parse_layout(path.read_text(encoding="utf-8"), str(path))}
SVG_TILE = re.compile(r'<(?:a|g)\b[^>]*data-lg-code="(\d{6})" data-status="(\w+)"')
TABLE_ROW = re.compile(r'<tr data-lg-code="(\d{6})" data-status="(\w+)"')


def test_every_fukushima_municipality_has_exactly_one_distinct_cell():
    with (TENANT_DIR / "municipalities.csv").open(encoding="utf-8") as handle:
        codes = [row["lg_code"] for row in csv.DictReader(handle)]
    layout = read_layout(TENANT_DIR / "tile_layout.csv")
    assert len(codes) == 59
    assert sorted(layout) == sorted(codes)
    assert len(set(layout.values())) == len(codes)


def test_layout_rough_geography():
    """West = 会津, middle = 中通り, east = 浜通り; north at the top."""
    layout = read_layout(TENANT_DIR / "tile_layout.csv")
    col = {code: c for code, (_r, c) in layout.items()}
    row = {code: r for code, (r, _c) in layout.items()}
    aizu_wakamatsu, fukushima, iwaki, shirakawa, soma = "072028", "072010", "072044", "072052", "072095"
    assert col[aizu_wakamatsu] < col[fukushima] < col[soma]
    assert row[fukushima] < row[shirakawa] and row[soma] < row[iwaki]


@pytest.mark.parametrize(("years", "expected"), [
    ({2024}, (2024, THIS_YEAR)),
    ({2022, 2024}, (2024, THIS_YEAR)),
    ({2023}, (2023, IN_WINDOW)),
    ({2022}, (2022, IN_WINDOW)),  # first year of the window
    ({2021}, (2021, EARLIER)),  # the year before the window
    ({2019, 2021}, (2021, EARLIER)),
    (set(), (None, NEVER)),
    ({2025}, (None, NEVER)),  # support after the chosen year does not count yet
    ({2021, 2025}, (2021, EARLIER)),
])
def test_status_boundaries(years, expected):
    assert classify(years, 2024, (2022, 2024)) == expected


def test_invalid_layouts_are_rejected(tmp_path):
    path = tmp_path / "tile_layout.csv"
    path.write_text("lg_code,row,col\n072010,0,0\n072028,0,0\n", encoding="utf-8")
    with pytest.raises(TileLayoutError, match="既に 072010"):
        read_layout(path)
    path.write_text("lg_code,row,col\n072010,0,x\n", encoding="utf-8")
    with pytest.raises(TileLayoutError, match="整数"):
        read_layout(path)
    with pytest.raises(TileLayoutError, match="999999 はこの事業の市町村にありません"):
        parse_layout("lg_code,row,col\n999999,0,0\n", "upload", known_codes={"072010"})


def test_without_a_layout_tiles_form_a_grid_ordered_by_region():
    ms = [Organisation(id=i, name=f"町{i}", lg_code=f"{i:06d}", region=r) for i, r in enumerate("BABCA", start=1)]
    cells = place(ms, {}, region_order=["A", "B", "C"])
    assert len(set(cells.values())) == 5
    order = sorted(cells, key=lambda i: cells[i])
    assert [next(m.region for m in ms if m.id == i) for i in order] == ["A", "A", "B", "B", "C"]
    partial = place(ms, {"000001": (0, 3)})  # the others go below the laid-out rows
    assert partial[1] == (0, 3) and all(r >= 1 for i, (r, _c) in partial.items() if i != 1)


def _history(app):
    """FY2024 view (window 2022–2024): m0 this year, m1 in 2022, m2 in 2021 only, m3 cancelled in 2024,
    m4 only in 2025 (after the chosen year), the others never."""
    with in_tenant(app) as tenant:
        m = municipalities()
        support(tenant, 2024, [m[0]])
        support(tenant, 2022, [m[1]])
        support(tenant, 2021, [m[2]])
        cancel(support(tenant, 2024, [m[3]], state=EngagementState.ASSIGNED)[0])
        support(tenant, 2025, [m[4]])
        codes = [x.lg_code for x in m]
        db.session.commit()
    return codes


def test_the_svg_and_the_table_agree(app, client):
    codes = _history(app)
    response = client.get("/t/fukushima/coverage/map?fiscal_year=2024")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    svg = page.split("<svg class=\"tile-map\"")[1].split("</svg>")[0]
    tiles = dict(SVG_TILE.findall(svg))
    rows = dict(TABLE_ROW.findall(page))
    assert len(tiles) == len(rows) == 59
    assert tiles == rows
    assert [tiles[c] for c in codes[:5]] == [THIS_YEAR, IN_WINDOW, EARLIER, NEVER, NEVER]
    assert sum(1 for s in tiles.values() if s == NEVER) == 59 - 3
    assert "凡例" in page and "会津若松" in svg and "<details>" in page
    assert " style=" not in page  # CSP: no inline style attributes


def test_the_map_is_public_and_links_profiles_for_those_who_may_open_them(app, client):
    _history(app)
    anonymous = client.get("/t/fukushima/coverage/map").get_data(as_text=True)
    assert "/municipalities/" not in anonymous
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        own = factories.municipality("072010")
        factories.user(tenant, Role.MUNICIPAL, "city@example.jp", organisation=own)
        own_id = own.id
        db.session.commit()
    login(client, "city@example.jp")
    page = client.get("/t/fukushima/coverage/map").get_data(as_text=True)
    assert re.findall(r'href="/t/fukushima/municipalities/(\d+)"', page) == [str(own_id)] * 2  # tile + table row
    client.post("/t/fukushima/logout")
    operator = app.test_client()
    login(operator, "op@example.jp")
    page = operator.get("/t/fukushima/coverage/map?fiscal_year=2024").get_data(as_text=True)
    assert len(set(re.findall(r'href="/t/fukushima/municipalities/(\d+)"', page))) == 59


def test_the_coverage_page_links_the_map(app, client):
    page = client.get("/t/fukushima/coverage?fiscal_year=2024").get_data(as_text=True)
    assert "/t/fukushima/coverage/map?fiscal_year=2024" in page


def test_an_invalid_year_answers_400_with_the_default_map(app, client):
    response = client.get("/t/fukushima/coverage/map?fiscal_year=abc")
    assert response.status_code == 400
    assert "年度は" in response.get_data(as_text=True)
