"""app/core/excel.py: formula-like text is kept exactly and never a formula, headers, widths,
JST dates, streaming (write-only) sheets and the download response."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.core.excel import XLSX_MIMETYPE, new_workbook, safe_cell, workbook_bytes, workbook_response, write_sheet

HOSTILE = ["=1+1", "+81-3", "-2+3", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\")", "-"]


def _saved(headers, rows, widths=None) -> bytes:
    workbook = new_workbook()
    write_sheet(workbook.create_sheet("一覧"), headers, rows, widths)
    return workbook_bytes(workbook)


def _sheet(data: bytes):
    return load_workbook(io.BytesIO(data))["一覧"]


def _xml_read(text: str) -> str:
    """What an XML reader gives back: CR and CRLF become LF (XML end-of-line handling); nothing else changes."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _has_formula(data: bytes) -> bool:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return any(re.search(rb"<f[ >]", archive.read(n)) for n in archive.namelist() if n.startswith("xl/worksheets/"))


@pytest.mark.parametrize(("value", "expected"), [
    (None, None), (12, 12), (-3, -3), (1.5, 1.5), ("普通の文字", "普通の文字"), ("a\x00b\x07c", "abc"), ("=1+1", "=1+1"),
    (dt.date(2024, 5, 1), dt.date(2024, 5, 1)),
    (dt.datetime(2024, 4, 30, 15, 30, tzinfo=dt.UTC), dt.datetime(2024, 5, 1, 0, 30)),
])
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected


def test_formula_like_text_is_text_with_quote_prefix_and_reads_back_unchanged():
    data = _saved(["件名"], [[v] for v in HOSTILE])
    assert not _has_formula(data)
    cells = [row[0] for row in _sheet(data).iter_rows(min_row=2)]
    assert [(c.value, c.data_type, c.quotePrefix) for c in cells] == [(_xml_read(v), "s", True) for v in HOSTILE]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("=+-@\t\r\n"),
                        min_size=1, max_size=20), min_size=1, max_size=5))
def test_any_text_round_trips_exactly_and_never_as_a_formula(texts):
    data = _saved(["値"], [[t] for t in texts])
    assert not _has_formula(data)
    back = [row[0] for row in _sheet(data).iter_rows(min_row=2, values_only=True)]
    assert back == [_xml_read(t) for t in texts]


def test_header_widths_dates_and_frozen_pane():
    moment = dt.datetime(2024, 4, 30, 15, 30, tzinfo=dt.UTC)
    sheet = _sheet(_saved(["件名", "理由", "日時", "日付", "点"], [["a", "b", moment, dt.date(2025, 3, 31), 80.5]],
                          widths=[None, 30]))
    assert [c.value for c in sheet[1]] == ["件名", "理由", "日時", "日付", "点"] and sheet[1][0].font.b
    _title, _reason, when, day, points = sheet[2]
    assert when.value == dt.datetime(2024, 5, 1, 0, 30) and when.number_format == "yyyy/mm/dd hh:mm"  # JST, naive
    assert day.value == dt.datetime(2025, 3, 31) and day.number_format == "yyyy/mm/dd"
    assert points.value == 80.5
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["B"].width == 30
    assert sheet.column_dimensions["A"].width >= 8


def test_write_sheet_streams_a_generator_and_reports_progress():
    seen: list[int] = []
    workbook = new_workbook()
    written = write_sheet(workbook.create_sheet("一覧"), ["番号"], ((i,) for i in range(1000)), on_progress=seen.append, every=250)
    assert written == 1000 and seen == [250, 500, 750, 1000]
    assert _sheet(workbook_bytes(workbook)).max_row == 1001


def test_workbook_response_is_an_uncached_xlsx_download(app):
    workbook = new_workbook()
    write_sheet(workbook.create_sheet("一覧"), ["項目"], [["値"]])
    with app.test_request_context():
        response = workbook_response(workbook, "審査表_2024年度.xlsx")
    assert response.mimetype == XLSX_MIMETYPE and response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="export.xlsx"') and "filename*=UTF-8''%E5%AF%A9" in disposition
    assert load_workbook(io.BytesIO(response.data)).sheetnames == ["一覧"]
