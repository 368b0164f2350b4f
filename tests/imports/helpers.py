"""Workbooks built in the tests (no committed binaries) and the import call path without HTTP."""
from __future__ import annotations

import io

import openpyxl

from app.core.excel import workbook_bytes
from app.imports import services
from app.imports.services import IMPORTERS
from app.imports.states import ImportKind


def xlsx(sheet: str, header: list[str], rows: list[list]) -> bytes:
    """A plain openpyxl workbook, as a user would save it from Excel."""
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = sheet
    ws.append(header)
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def from_template(tenant, kind: ImportKind, rows: list[list]) -> bytes:
    """The kind's own template with `rows` filled in (through app.core.excel)."""
    return workbook_bytes(IMPORTERS[kind].template(tenant, rows))


def preview(tenant, kind: ImportKind, data: bytes, tmp_path, actor=None):
    return services.preview_import(tenant, kind, data, filename="test.xlsx", actor=actor, storage_dir=str(tmp_path))


def confirm(run, tenant, tmp_path, actor=None):
    return services.confirm_import(run, tenant, actor=actor, storage_dir=str(tmp_path))
