"""The tenant's needs-survey definition (`tenants/<slug>/needs_survey.toml`).

Format: `title`, `comment_max` (characters of each free-text comment, default 1000) and
`[maturity]` with a `label` and `[[maturity.levels]]` (`value`: distinct integers ≥ 0, `label`).
The issue categories are the tenant's taxonomy (categories.csv, digest §3). Errors name the file
and the key (`NeedsTemplateError`), in Japanese like the tenant loader's.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app


class NeedsTemplateError(ValueError):
    """The needs-survey definition is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class NeedsTemplate:
    """A parsed needs_survey.toml: `levels` are `(value, label)` pairs in file order."""

    title: str
    maturity_label: str
    levels: tuple[tuple[int, str], ...]
    comment_max: int = 1000

    def level_label(self, value: int | None) -> str:
        """The label of maturity `value`, or "" when unknown."""
        return next((label for v, label in self.levels if v == value), "")


def load_needs_template(tenant) -> NeedsTemplate:
    """The needs-survey definition of `tenant` (read on each call: it is small)."""
    return read_needs_template(Path(current_app.config["TENANTS_DIR"]) / tenant.slug / "needs_survey.toml")


def read_needs_template(path: Path) -> NeedsTemplate:
    """Parse and validate a needs_survey.toml file. Raises `NeedsTemplateError` naming file and key."""
    if not path.is_file():
        raise NeedsTemplateError(f"{path}: ファイルがありません")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise NeedsTemplateError(f"{path}: {exc}") from exc
    title, maturity = data.get("title"), data.get("maturity")
    if not isinstance(title, str) or not title.strip():
        raise NeedsTemplateError(f"{path}: キー 'title'（表題）は必須です")
    comment_max = data.get("comment_max", 1000)
    if type(comment_max) is not int or not 1 <= comment_max <= 10000:
        raise NeedsTemplateError(f"{path}: キー 'comment_max' は1〜10000の文字数にしてください")
    if not isinstance(maturity, dict) or not isinstance(maturity.get("label"), str) or not maturity["label"].strip():
        raise NeedsTemplateError(f"{path}: キー 'maturity.label' は必須です")
    return NeedsTemplate(title.strip(), maturity["label"].strip(), _levels(path, maturity.get("levels")), comment_max)


def _levels(path: Path, raw) -> tuple[tuple[int, str], ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise NeedsTemplateError(f"{path}: キー 'maturity.levels' には段階が2つ以上必要です")
    levels = []
    for index, level in enumerate(raw):
        value = level.get("value") if isinstance(level, dict) else None
        label = level.get("label") if isinstance(level, dict) else None
        if type(value) is not int or value < 0 or not isinstance(label, str) or not label.strip():
            raise NeedsTemplateError(f"{path}: キー 'maturity.levels[{index}]' には 0 以上の整数 value と label が必要です")
        levels.append((value, label.strip()))
    if len({v for v, _ in levels}) != len(levels):
        raise NeedsTemplateError(f"{path}: キー 'maturity.levels' の value が重複しています")
    return tuple(levels)
