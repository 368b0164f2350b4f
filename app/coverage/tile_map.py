"""Tile-grid map of coverage: one square tile per municipality in an approximate geographic layout,
coloured by the last fiscal year supported seen from a chosen fiscal year (issue 5 §2).

The layout is stored on the tenant (`Tenant.tile_layout`, `[[lg_code, row, col], …]`; row 0 = north,
col 0 = west), uploaded on 事業設定 › タイル地図 or imported from `tenants/<slug>/tile_layout.csv`
(columns `lg_code,row,col`, parsed by `parse_layout`). A tenant without one, and municipalities
missing from it, are laid out in a grid ordered by region. Statuses follow the coverage window of `app.coverage.queries` (001:165):
"supported in FY" means a non-cancelled engagement in that fiscal year.
"""
from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.coverage.queries import active_municipalities, call_rules, coverage_window, default_fiscal_year, ordered, support_years
from app.tenancy.models import Organisation

LAYOUT_FILE = "tile_layout.csv"
FALLBACK_COLUMNS = 10
MAX_CELL = 200  # rows/columns of a layout: far more than any prefecture needs, keeps the SVG bounded

# status -> (label, fill colour, mark shown in the tile so that colour is not the only cue)
THIS_YEAR, IN_WINDOW, EARLIER, NEVER = "this_year", "in_window", "earlier", "never"
STATUSES = {
    THIS_YEAR: (_l("当該年度に支援"), "#1b6e3a", "◎"),
    IN_WINDOW: (_l("対象期間内に支援"), "#7cc08e", "○"),
    EARLIER: (_l("対象期間より前に支援"), "#f2c14e", "△"),
    NEVER: (_l("支援なし"), "#d9d9d9", "×"),
}
DARK_FILLS = {THIS_YEAR}  # tiles whose text is drawn in white


class TileLayoutError(ValueError):
    """The layout file is invalid; the message names the file and the line."""


@dataclass(frozen=True)
class Tile:
    """One municipality's tile: grid cell, last fiscal year supported up to the chosen year (None =
    never) and its status key (`THIS_YEAR`, `IN_WINDOW`, `EARLIER`, `NEVER`)."""

    municipality: Organisation
    row: int
    col: int
    last_year: int | None
    status: str

    @property
    def short_name(self) -> str:
        """The name without its trailing 市・町・村 (会津若松市 -> 会津若松), kept whole when 2 characters (塙町)."""
        return short_name(self.municipality.name)

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status][0])

    @property
    def fill(self) -> str:
        return STATUSES[self.status][1]

    @property
    def mark(self) -> str:
        return STATUSES[self.status][2]

    @property
    def text_fill(self) -> str:
        return "#ffffff" if self.status in DARK_FILLS else "#1a1a1a"


@dataclass(frozen=True)
class TileMap:
    """The map for `fiscal_year`: tiles in master-list order, grid size, and the window (from, to)."""

    fiscal_year: int
    window: tuple[int, int]
    tiles: list[Tile]
    rows: int
    cols: int
    has_layout: bool

    def counts(self) -> dict[str, int]:
        """`{status: number of municipalities}` for every status, in legend order."""
        result = dict.fromkeys(STATUSES, 0)
        for tile in self.tiles:
            result[tile.status] += 1
        return result


def short_name(name: str) -> str:
    """`name` without a trailing 市/町/村 when at least two characters remain."""
    return name[:-1] if len(name) > 2 and name[-1] in "市町村" else name


def classify(years: set[int], fiscal_year: int, window: tuple[int, int]) -> tuple[int | None, str]:
    """`(last year supported ≤ fiscal_year or None, status)`: this year when last == fiscal_year,
    in the window when window[0] ≤ last < fiscal_year, earlier when last < window[0], else never.
    Years after `fiscal_year` are ignored (the map shows the situation as of that year)."""
    past = [y for y in years if y <= fiscal_year]
    if not past:
        return None, NEVER
    last = max(past)
    if last == fiscal_year:
        return last, THIS_YEAR
    return last, (IN_WINDOW if last >= window[0] else EARLIER)


def layout_of(tenant) -> dict[str, tuple[int, int]]:
    """`{lg_code: (row, col)}` of the tenant's stored layout, `{}` when none is set."""
    return {code: (row, col) for code, row, col in (tenant.tile_layout or [])}


def parse_layout(text: str, source: str = LAYOUT_FILE, known_codes: set[str] | None = None) -> list[list]:
    """`[[lg_code, row, col], …]` from the text of a layout CSV (columns lg_code,row,col; a BOM is fine).

    Raises `TileLayoutError` naming `source` and the line for a missing column, a non-integer or
    negative row/col, a repeated lg_code, two municipalities in the same cell, or (when
    `known_codes` is given) an lg_code that is not one of the tenant's municipalities."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    if not {"lg_code", "row", "col"} <= set(reader.fieldnames or ()):
        raise TileLayoutError(f"{source}: 列 lg_code,row,col が必要です")
    cells: dict[str, tuple[int, int]] = {}
    seen: dict[tuple[int, int], str] = {}
    for line, record in enumerate(reader, start=2):
        code = (record["lg_code"] or "").strip()
        try:
            cell = (int(record["row"]), int(record["col"]))
        except (TypeError, ValueError) as exc:
            raise TileLayoutError(f"{source}:{line}行目: row と col は整数にしてください") from exc
        if min(cell) < 0 or max(cell) > MAX_CELL:
            raise TileLayoutError(f"{source}:{line}行目: row と col は0以上{MAX_CELL}以下にしてください")
        if known_codes is not None and code not in known_codes:
            raise TileLayoutError(f"{source}:{line}行目: lg_code {code} はこの事業の市町村にありません")
        if code in cells:
            raise TileLayoutError(f"{source}:{line}行目: lg_code {code} が2回あります")
        if cell in seen:
            raise TileLayoutError(f"{source}:{line}行目: マス（row {cell[0]}, col {cell[1]}）には既に {seen[cell]} があります")
        cells[code], seen[cell] = cell, code
    if not cells:
        raise TileLayoutError(f"{source}: 配置が1行もありません")
    return [[code, row, col] for code, (row, col) in cells.items()]


def layout_csv(layout: list[list]) -> str:
    """The CSV text (lg_code,row,col) of a stored layout, for download and export."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["lg_code", "row", "col"])
    writer.writerows(layout)
    return out.getvalue()


def place(municipalities: list[Organisation], layout: dict[str, tuple[int, int]],
          region_order: list[str] | None = None) -> dict[int, tuple[int, int]]:
    """`{municipality_id: (row, col)}`: cells from `layout`; the others (all of them without a layout)
    in rows of up to `FALLBACK_COLUMNS` below the laid-out ones, ordered by region (`region_order`)."""
    cells = {m.id: layout[m.lg_code] for m in municipalities if m.lg_code in layout}
    rest = [m for m in municipalities if m.id not in cells]
    if not rest:
        return cells
    groups: dict[str, list[Organisation]] = {}
    for m in rest:
        groups.setdefault(m.region or "", []).append(m)
    flat = [m for members in ordered(groups, region_order).values() for m in members]
    start = max((r for r, _ in cells.values()), default=-1) + 1
    width = FALLBACK_COLUMNS if cells else min(FALLBACK_COLUMNS, max(1, math.ceil(math.sqrt(len(flat) * 1.5))))
    for i, m in enumerate(flat):
        cells[m.id] = (start + i // width, i % width)
    return cells


def tile_map(tenant, fiscal_year: int | None = None) -> TileMap:
    """The tile map of `tenant` seen from `fiscal_year` (default: newest year with a call).

    Uses the tenant's stored layout and three queries: the calls' rules, the municipalities, and the
    fiscal years supported (`support_years`)."""
    rules = call_rules(tenant)
    fy = default_fiscal_year(tenant, rules) if fiscal_year is None else fiscal_year
    window = coverage_window(tenant, fy, rules)
    municipalities = active_municipalities(tenant)
    layout = layout_of(tenant)
    cells = place(municipalities, layout, tenant.rule("region_order"))
    years = support_years(tenant)
    tiles = []
    for m in municipalities:
        last, status = classify(years.get(m.id, set()), fy, window)
        tiles.append(Tile(m, *cells[m.id], last, status))
    rows = max((t.row for t in tiles), default=-1) + 1
    cols = max((t.col for t in tiles), default=-1) + 1
    return TileMap(fy, window, tiles, rows, cols, has_layout=bool(layout))
