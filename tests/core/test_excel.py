"""app/core/excel.py: formula injection is neutralised, headers, widths, JST dates, the download."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from app.core.excel import XLSX_MIMETYPE, new_workbook, safe_cell, workbook_response, write_sheet


@pytest.mark.parametrize("value", ["=1+1", "+81-3", "-2+3", "@SUM(A1)", "\tx", "\rx", "=cmd|' /C calc'!A0"])
def test_formula_like_text_gets_an_apostrophe(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize(("value", "expected"), [
    (None, ""), (12, 12), (-3, -3), (1.5, 1.5), ("普通の文字", "普通の文字"), ("a\x00b\x07c", "abc"),
    (dt.date(2024, 5, 1), dt.date(2024, 5, 1)),
    (dt.datetime(2024, 4, 30, 15, 30, tzinfo=dt.UTC), dt.datetime(2024, 5, 1, 0, 30)),
])
def test_other_values(value, expected):
    assert safe_cell(value) == expected


def _round_trip(headers, rows, widths=None):
    workbook = new_workbook()
    write_sheet(workbook.create_sheet("審査表"), headers, rows, widths)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return load_workbook(io.BytesIO(buffer.getvalue()))["審査表"]


def test_write_sheet_reads_back_without_formulas():
    moment = dt.datetime(2024, 4, 30, 15, 30, tzinfo=dt.UTC)
    sheet = _round_trip(["件名", "理由", "日時", "点"], [["=HYPERLINK(\"http://x\")", "@x", moment, 80.5]], widths=[None, 30])
    assert [c.value for c in sheet[1]] == ["件名", "理由", "日時", "点"] and sheet[1][0].font.b
    title, reason, when, points = sheet[2]
    assert (title.value, title.data_type) == ("'=HYPERLINK(\"http://x\")", "s")
    assert (reason.value, reason.data_type) == ("'@x", "s")
    assert when.value == dt.datetime(2024, 5, 1, 0, 30) and when.number_format == "yyyy/mm/dd hh:mm"
    assert points.value == 80.5
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert sheet.freeze_panes == "A2" and sheet.column_dimensions["B"].width == 30
    assert sheet.column_dimensions["A"].width > sheet.column_dimensions["D"].width  # full-width text is wider


def test_workbook_response_is_an_xlsx_download(app):
    with app.test_request_context():
        response = workbook_response(_book(), "審査表_2024年度.xlsx")
    assert response.mimetype == XLSX_MIMETYPE
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="export.xlsx"') and "filename*=UTF-8''%E5%AF%A9" in disposition
    assert load_workbook(io.BytesIO(response.data)).sheetnames == ["一覧"]


def _book():
    workbook = new_workbook()
    write_sheet(workbook.create_sheet("一覧"), ["項目"], [["値"]])
    return workbook
