"""What an import would change (the dry run): rows sorted into new / updated / unchanged, the
errors with sheet, row and column, and the data each importer's `apply` needs."""
from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl import Workbook

from app.core.excel import new_workbook, write_sheet
from app.imports.readers import Column, SheetRow

BUCKETS = ("new", "updated", "unchanged")
SAMPLES = 10  # rows of each bucket shown on the preview page


@dataclass
class Change:
    """One row that passed validation: `bucket` new / updated / unchanged, `label` what the preview
    shows, `data` what `apply` uses."""

    bucket: str
    row: int
    label: str
    data: dict = field(default_factory=dict)


@dataclass
class ImportPlan:
    """The result of validating a whole workbook; `apply` only ever runs when `errors` is empty."""

    sheet: str
    changes: list[Change] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def error(self, row: SheetRow, key: str, header: str, message: str) -> None:
        """Record 「シート『…』 5行目 C列（市町村コード）：…」 for `row`'s column `key`."""
        letter = row.letters.get(key, "")
        where = f"{letter}列（{header}）" if letter else f"列『{header}』"
        self.errors.append(f"シート『{self.sheet}』 {row.number}行目 {where}：{message}")

    def add(self, bucket: str, row: SheetRow, label: str, **data) -> None:
        """Record a valid row in `bucket` (one of `BUCKETS`)."""
        self.changes.append(Change(bucket, row.number, label, data))

    def of(self, bucket: str) -> list[Change]:
        """The changes in `bucket`, in sheet order."""
        return [c for c in self.changes if c.bucket == bucket]

    def summary(self) -> dict:
        """Counts per bucket, the first `SAMPLES` labels of each and the notes (JSON for `ImportRun`)."""
        counts = {b: len(self.of(b)) for b in BUCKETS}
        samples = {b: [f"{c.row}行目：{c.label}" for c in self.of(b)[:SAMPLES]] for b in BUCKETS}
        return {**counts, "samples": samples, "notes": list(self.notes)}


def parse_int(text: str, lo: int, hi: int) -> int | None:
    """`text` as an integer within lo..hi (half- or full-width digits, thousands commas), else None."""
    cleaned = text.replace(",", "").replace("，", "")
    if not cleaned or not cleaned.isdecimal():
        return None
    value = int(cleaned)
    return value if lo <= value <= hi else None


def split_list(text: str) -> list[str]:
    """A multi-valued cell ("AI活用、RPA" or one per line) as a list without blanks or repeats."""
    for separator in ("\n", ",", "，", ";", "；"):
        text = text.replace(separator, "、")
    return list(dict.fromkeys(p.strip(" \u3000") for p in text.split("、") if p.strip(" \u3000")))


ERAS = {"令和": 2018, "R": 2018, "平成": 1988, "H": 1988}


def parse_fiscal_year(text: str) -> int | None:
    """A fiscal year cell as the start year: 2024, "2024年度", "令和6年度", "R6", "令和元年度"; else None."""
    text = text.removesuffix("年度").replace("元", "1")
    for era, offset in ERAS.items():
        if text.upper().startswith(era):
            number = parse_int(text[len(era):], 1, 99)
            return None if number is None else parse_int(str(number + offset), 2000, 2100)
    return parse_int(text, 2000, 2100)


def template_workbook(sheet: str, columns: tuple[Column, ...], rows=(), help_rows=()) -> Workbook:
    """An import template: sheet `sheet` with the Japanese headers of `columns` and `rows` (lists in
    column order, written through `app.core.excel`, so no text becomes a formula), and a sheet
    「記入方法」 listing each column, whether it is required and `help_rows` [(header, explanation)]."""
    workbook = new_workbook()
    write_sheet(workbook.create_sheet(sheet), [c.header for c in columns], rows)
    explanations = dict(help_rows)
    write_sheet(workbook.create_sheet("記入方法"), ["列", "必須", "書き方"],
                [[c.header, "必須" if c.required else "任意", explanations.get(c.header, "")] for c in columns])
    return workbook
