"""The one helper every .xlsx export uses (openpyxl, write-only/streaming): safe cells, a Japanese
header row, column widths, JST dates, and the download response.

Formula injection: a text value starting with `=`, `+`, `-`, `@`, tab or CR is written unchanged
as a string cell carrying Excel's quotePrefix style (the cell shows a leading `'` in the formula
bar but holds the exact text), so it is never a formula and an export→import round trip gives
back the same string (except that XML readers turn a CR into LF: end-of-line normalisation). Every text cell is in addition written with `data_type = "s"`, so openpyxl
never writes an `<f>` element for any string.

Workbooks are write-only (`Workbook(write_only=True)`): rows are streamed to disk or a buffer and
memory stays constant however long the list; column widths and the frozen header are therefore
set before the first row.
"""
from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from app.core.clock import JST

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT, DATETIME_FORMAT = "yyyy/mm/dd", "yyyy/mm/dd hh:mm"
MAX_WIDTH, MIN_WIDTH = 60, 8
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(vertical="center", wrap_text=True)
WRAP_ALIGNMENT = Alignment(wrap_text=True, vertical="top")


def safe_cell(value):
    """The value to write for `value`: characters XML cannot hold are dropped from text; aware
    datetimes become naive JST (Excel has no time zones); enums with a label give the label;
    None gives None (an empty cell). Text is returned unchanged otherwise: `make_cell` marks
    formula-like text with quotePrefix (module docstring)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, dt.datetime):
        return value.astimezone(JST).replace(tzinfo=None) if value.tzinfo is not None else value
    if isinstance(value, dt.date):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(getattr(value, "label", value)))


def is_formula_like(text: str) -> bool:
    """True for text that a spreadsheet would read as a formula (starts with = + - @ TAB CR)."""
    return text.startswith(FORMULA_STARTS)


def make_cell(ws, value) -> WriteOnlyCell:
    """A streaming cell of `ws` holding `safe_cell(value)`: text is always a string cell
    (quotePrefix when formula-like, wrapped when multi-line), dates get a JST date format."""
    value = safe_cell(value)
    cell = WriteOnlyCell(ws, value=value)
    if isinstance(value, str):
        cell.data_type = "s"  # never "f", whatever the text starts with
        if is_formula_like(value):
            cell.quotePrefix = True
        if "\n" in value:
            cell.alignment = WRAP_ALIGNMENT
    elif isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    return cell


def display_width(text: str) -> int:
    """Columns `text` needs: full-width characters count 2, the longest line counts."""
    lines = str(text).splitlines() or [""]
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines)


def write_sheet(ws, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int | None] | None = None,
                on_progress: Callable[[int], None] | None = None, every: int = 500) -> int:
    """Stream a bold, frozen header row of `headers` (Japanese) and `rows` into the write-only
    sheet `ws`, every value through `make_cell`. `widths` (characters; None = from the header,
    between 8 and 60) are set before the rows. `on_progress(rows_written)` is called every
    `every` rows. Returns the number of data rows written."""
    for index, header in enumerate(headers):
        given = widths[index] if widths is not None and index < len(widths) else None
        width = given or min(max(display_width(header) + 2, MIN_WIDTH), MAX_WIDTH)
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "A2"
    ws.append([_header_cell(ws, h) for h in headers])
    written = 0
    for row in rows:
        ws.append([make_cell(ws, v) for v in row])
        written += 1
        if on_progress is not None and written % every == 0:
            on_progress(written)
    return written


def _header_cell(ws, header) -> WriteOnlyCell:
    cell = make_cell(ws, header)
    cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
    return cell


def new_workbook() -> Workbook:
    """An empty write-only workbook: add sheets with `create_sheet(title)`, then `write_sheet`."""
    return Workbook(write_only=True)


def workbook_bytes(workbook: Workbook) -> bytes:
    """The saved .xlsx of `workbook` (a write-only workbook can be saved once)."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def content_disposition(filename: str) -> str:
    """An attachment header for `filename` (a Japanese name is RFC 5987-encoded with an ASCII fallback)."""
    ascii_name = filename if filename.isascii() and '"' not in filename else "export.xlsx"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def workbook_response(workbook: Workbook, filename: str) -> Response:
    """A download of `workbook` as `filename` (.xlsx), never cached. The caller audits the export."""
    response = Response(workbook_bytes(workbook), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "no-store"
    return response
