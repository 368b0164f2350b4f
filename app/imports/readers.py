"""Safe opening of uploaded .xlsx workbooks and reading of their sheets as text rows.

Before openpyxl sees an upload (quality.md, Uploads): the size limit (`IMPORT_MAX_BYTES`, 5 MB by
default), a real zip archive, at most `MAX_ENTRIES` entries, a total declared uncompressed size of
at most `MAX_UNCOMPRESSED_BYTES`, no entry compressed more than `MAX_RATIO` times, no encrypted
entry. openpyxl then parses the XML through defusedxml (installed; `openpyxl.DEFUSEDXML`), read-only
and with cached values instead of formulas (`data_only=True`). Every refusal raises
`ImportFileError` with a Japanese message; nothing is written.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, replace

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook

from app.tenancy.labels import provider_label

DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_ENTRIES = 200
MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
MAX_RATIO = 100  # uncompressed ÷ compressed per entry; real sheets stay well below
MAX_ROWS = 5000
SPACES = " \u3000"  # half- and full-width spaces are trimmed; tabs and newlines are data


class ImportFileError(ValueError):
    """The upload cannot be opened as a workbook (message is user-facing Japanese)."""


def check_archive(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """Refuse `data` unless it is a small, sane zip archive (module docstring); raises `ImportFileError`."""
    if len(data) > max_bytes:
        raise ImportFileError(f"ファイルが大きすぎます（上限{max_bytes // (1024 * 1024)}MB）")
    buffer = io.BytesIO(data)
    if not data or not zipfile.is_zipfile(buffer):
        raise ImportFileError("Excelファイル(.xlsx)として読み込めません")
    try:
        entries = zipfile.ZipFile(buffer).infolist()
    except (zipfile.BadZipFile, ValueError) as exc:
        raise ImportFileError("Excelファイル(.xlsx)として読み込めません") from exc
    if len(entries) > MAX_ENTRIES:
        raise ImportFileError(f"ファイルの構成要素が多すぎます（上限{MAX_ENTRIES}個）")
    if sum(e.file_size for e in entries) > MAX_UNCOMPRESSED_BYTES:
        raise ImportFileError(f"展開後のサイズが大きすぎます（上限{MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}MB）")
    for entry in entries:
        if entry.flag_bits & 0x1:
            raise ImportFileError("暗号化・パスワード付きのファイルは読み込めません")
        if entry.file_size > 1024 * 1024 and entry.file_size > MAX_RATIO * max(entry.compress_size, 1):
            raise ImportFileError("圧縮率が異常なファイルのため読み込めません")


def open_workbook(data: bytes, max_bytes: int = DEFAULT_MAX_BYTES) -> Workbook:
    """`check_archive`, then open read-only with values only (formulas are never evaluated).

    Raises `ImportFileError` for anything openpyxl cannot read as .xlsx.
    """
    check_archive(data, max_bytes)
    try:
        return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types (KeyError, InvalidFileException, XML errors)
        raise ImportFileError("Excelファイル(.xlsx)として読み込めません") from exc


def cell_text(value) -> str:
    """A cell value as text: None → ""; whole floats without ".0"; dates as YYYY-MM-DD; half- and
    full-width spaces trimmed at both ends (tabs, newlines and leading = + - @ are kept as written)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date):
        return value.strftime("%Y-%m-%d")
    return str(value).strip(SPACES)


@dataclass(frozen=True)
class Column:
    """One column of an import sheet: `key` (code name), `header` (Japanese, row 1), `required`."""

    key: str
    header: str
    required: bool = True


def provider_header() -> str:
    """The header of a sheet's provider column in the current tenant's words (会員企業名, ICTエキスパート名)."""
    return f"{provider_label()}名"


def with_provider_header(columns: tuple[Column, ...]) -> tuple[Column, ...]:
    """`columns` with the column keyed "provider" headed by `provider_header()`."""
    return tuple(replace(c, header=provider_header()) if c.key == "provider" else c for c in columns)


@dataclass(frozen=True)
class SheetRow:
    """One non-empty data row: its 1-based `number`, `values` by column key and `letters` (A, B, …)."""

    number: int
    values: dict[str, str]
    letters: dict[str, str]


def read_sheet(workbook: Workbook, sheet: str, columns: tuple[Column, ...]) -> tuple[list[SheetRow], list[str]]:
    """The data rows of `sheet` (row 1 holds the headers, in any order; blank rows skipped).

    Returns `(rows, errors)`; errors name the sheet (missing sheet, missing required header, too many rows).
    """
    if sheet not in workbook.sheetnames:
        return [], [f"シート『{sheet}』がありません（テンプレートのシート名のまま使ってください）"]
    rows = workbook[sheet].iter_rows(values_only=True)
    header = [cell_text(v) for v in next(rows, ())]
    positions = {c.key: header.index(c.header) for c in columns if c.header in header}
    missing = [c.header for c in columns if c.required and c.key not in positions]
    if missing:
        return [], [f"シート『{sheet}』 1行目：列『{h}』がありません" for h in missing]
    return _data_rows(rows, positions, sheet)


def _data_rows(rows: Iterator[tuple], positions: dict[str, int], sheet: str) -> tuple[list[SheetRow], list[str]]:
    letters = {key: get_column_letter(index + 1) for key, index in positions.items()}
    out = []
    for number, raw in enumerate(rows, start=2):
        values = {key: cell_text(raw[index]) if index < len(raw) else "" for key, index in positions.items()}
        if not any(values.values()):
            continue
        if len(out) >= MAX_ROWS:
            return [], [f"シート『{sheet}』：行が多すぎます（上限{MAX_ROWS}行）。ファイルを分けて取り込んでください"]
        out.append(SheetRow(number, values, letters))
    return out, []
