"""Safe opening: size, zip checks before openpyxl, defusedxml, refusals in Japanese."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest

from app.imports import readers
from app.imports.readers import ImportFileError, cell_text, open_workbook
from tests.imports.helpers import xlsx


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_openpyxl_parses_xml_through_defusedxml():
    assert openpyxl.DEFUSEDXML is True


def test_a_zip_bomb_is_refused_before_it_is_expanded():
    bomb = _zip({"xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024)})  # 60 MB of zeros in ~60 KB
    assert len(bomb) < 200_000
    with pytest.raises(ImportFileError, match="展開後のサイズが大きすぎます"):
        open_workbook(bomb)


def test_a_highly_compressed_entry_is_refused_even_under_the_total_limit():
    with pytest.raises(ImportFileError, match="圧縮率が異常"):
        open_workbook(_zip({"xl/sharedStrings.xml": b"a" * (20 * 1024 * 1024)}))


def test_too_many_entries_are_refused():
    with pytest.raises(ImportFileError, match="構成要素が多すぎます"):
        open_workbook(_zip({f"x/{i}.xml": b"<a/>" for i in range(readers.MAX_ENTRIES + 1)}))


@pytest.mark.parametrize("data", [b"", b"not a zip at all", b"PK\x03\x04broken", _zip({"hello.txt": b"hi"})])
def test_malformed_files_are_refused_in_japanese(data):
    with pytest.raises(ImportFileError, match=r"Excelファイル\(.xlsx\)として読み込めません"):
        open_workbook(data)


def test_the_size_limit_comes_first():
    with pytest.raises(ImportFileError, match="ファイルが大きすぎます（上限5MB）"):
        open_workbook(b"PK" + b"\0" * (5 * 1024 * 1024))


def test_encrypted_entries_are_refused():
    data = bytearray(xlsx("s", ["a"], [["b"]]))
    offset = data.find(b"PK\x01\x02")  # first central-directory entry: set its "encrypted" flag bit
    data[offset + 8] |= 0x1
    with pytest.raises(ImportFileError, match="暗号化"):
        open_workbook(bytes(data))


def test_formulas_are_read_as_their_cached_value_never_evaluated():
    workbook = open_workbook(xlsx("s", ["a"], [["=1+2"], ["  text\u3000"], [72010], [2.0]]))
    values = [cell_text(r[0]) for r in workbook["s"].iter_rows(min_row=2, values_only=True)]
    assert values == ["", "text", "72010", "2"]  # no cached value for a formula openpyxl wrote
