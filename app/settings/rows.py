"""Editable row lists of 事業設定 (regions, areas, categories, rubric criteria).

A list is posted as `<prefix>-<i>-<column>` plus `<prefix>-<i>-original` (the row's key when it
was shown, empty for a new row), `<prefix>-<i>-order` (display position; rows are sorted by it) and
`<prefix>-<i>-remove` (checked: drop the row). New rows left blank are ignored.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_ROWS = 300  # far more than any program's regions or categories; bounds the parsing of a hostile post


@dataclass(frozen=True)
class Row:
    """One posted row: `original` key (None: new), its `values` by column, and display `order`."""

    original: str | None
    values: dict[str, str]
    order: float


def read_rows(form, prefix: str, columns: list[str]) -> list[Row]:
    """The kept rows of list `prefix` from `form` (a MultiDict), sorted by their order field
    (an unreadable order keeps the row's position). Removed rows and blank new rows are left out."""
    rows = []
    for i in range(MAX_ROWS):
        base = f"{prefix}-{i}-"
        if not any(key.startswith(base) for key in form):
            continue
        original = form.get(base + "original", "").replace("\x00", "").strip() or None
        values = {c: form.get(base + c, "").replace("\x00", "").strip() for c in columns}
        if form.get(base + "remove") or (original is None and not any(values.values())):
            continue
        try:
            order = float(form.get(base + "order", "").strip())
        except ValueError:
            order = float(i + 1)
        if order != order:  # NaN
            order = float(i + 1)
        rows.append((order, i, Row(original, values, order)))
    return [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]


def shown_rows(items: list[dict], key: str, blanks: int = 3) -> list[dict]:
    """Rows for the template: `{"index", "original", "order", "values"}` for each item (a dict of
    column values, `key` naming its identifying column) and `blanks` empty rows for additions."""
    rows = [{"index": i, "original": item[key], "order": i + 1, "values": item} for i, item in enumerate(items)]
    start = len(items)
    rows += [{"index": start + j, "original": "", "order": start + j + 1, "values": {}} for j in range(blanks)]
    return rows


def posted_rows(form, prefix: str, columns: list[str], key: str) -> list[dict]:
    """The posted rows back in the shape of `shown_rows` (to redisplay after an error, input kept)."""
    out = []
    for i in range(MAX_ROWS):
        base = f"{prefix}-{i}-"
        if not any(k.startswith(base) for k in form):
            continue
        values = {c: form.get(base + c, "") for c in columns}
        out.append({"index": i, "original": form.get(base + "original", ""), "order": form.get(base + "order", ""),
                    "values": values, "remove": bool(form.get(base + "remove"))})
    return out
