"""The one helper every .xlsx export uses (openpyxl): safe cell values, Japanese header rows,
column widths, JST dates, and the download response.

Formula injection: a text value starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with an
apostrophe (OWASP "CSV injection" advice), so the cell holds the text `'=…` — never a formula,
also after the workbook is saved again as CSV. Every text cell is in addition written with
`data_type = "s"`, so openpyxl never turns any string into a formula.
"""
from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.core.clock import JST

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT, DATETIME_FORMAT = "yyyy/mm/dd", "yyyy/mm/dd hh:mm"
MAX_WIDTH, MIN_WIDTH = 60, 6
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")


def safe_cell(value):
    """A value openpyxl writes safely: text starting with = + - @ TAB CR gets a leading
    apostrophe (module docstring); characters XML cannot hold are dropped; aware datetimes become
    naive JST (Excel has no time zones); enums with a label give the label; None gives ""."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | dt.date):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            return value.astimezone(JST).replace(tzinfo=None)
        return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(getattr(value, "label", value)))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _display_width(value) -> int:
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    lines = str(value).splitlines() or [""]
    return max(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line) for line in lines)


def write_sheet(ws: Worksheet, headers: Sequence[str], rows: Iterable[Sequence], widths: Sequence[int | None] | None = None) -> None:
    """Write a bold, frozen header row of `headers` (Japanese) and `rows` to `ws` through
    `safe_cell`. `widths` (characters; None = automatic) sets column widths; automatic widths
    follow the longest line (full-width characters count 2), between 6 and 60."""
    ws.append([safe_cell(h) for h in headers])
    for cell in ws[1]:
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    measured = [_display_width(h) for h in headers]
    for row in rows:
        values = [safe_cell(v) for v in row]
        ws.append(values)
        for cell, value in zip(ws[ws.max_row], values, strict=False):
            _format(cell, value)
        for index, value in enumerate(values[:len(measured)]):
            measured[index] = max(measured[index], _display_width(value))
    for index, width in enumerate(measured):
        given = widths[index] if widths is not None and index < len(widths) else None
        ws.column_dimensions[get_column_letter(index + 1)].width = given or min(max(width + 2, MIN_WIDTH), MAX_WIDTH)
    ws.freeze_panes = "A2"


def _format(cell, value) -> None:
    if isinstance(value, str):
        cell.data_type = "s"
        if "\n" in value:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    elif isinstance(value, dt.datetime):
        cell.number_format = DATETIME_FORMAT
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT


def new_workbook() -> Workbook:
    """An empty workbook (its default sheet removed): add sheets with `create_sheet(title)`."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def workbook_response(workbook: Workbook, filename: str) -> Response:
    """A download of `workbook` as `filename` (.xlsx; a Japanese name is sent RFC 5987-encoded
    with an ASCII fallback). The caller audits the export."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    ascii_name = filename if filename.isascii() and '"' not in filename else "export.xlsx"
    response = Response(buffer.getvalue(), mimetype=XLSX_MIMETYPE)
    response.headers["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return response
