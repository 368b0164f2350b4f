"""The tenant's needs-survey definition (DX課題把握アンケート), stored versioned in the database
(`app.questionnaires`, kind "needs"); `tenants/<slug>/needs_survey.toml` is its import/export form.

Definition (the TOML file's shape, and the JSON stored per version): `title`, `comment_max`
(characters of each free-text comment, default 1000) and `maturity` with a `label` and `levels`
(`value`: distinct integers ≥ 0, `label`). The issue categories are the tenant's taxonomy
(digest §3). Errors name the key, and the file when read from one (`NeedsTemplateError`).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from app.questionnaires import store


class NeedsTemplateError(ValueError):
    """The needs-survey definition is invalid (the message names the key, and the file if any),
    or the tenant runs no needs survey."""


@dataclass(frozen=True)
class NeedsTemplate:
    """A parsed needs-survey definition: `levels` are `(value, label)` pairs in order; `version`
    its stored version (0 when not from the database)."""

    title: str
    maturity_label: str
    levels: tuple[tuple[int, str], ...]
    comment_max: int = 1000
    version: int = 0

    def level_label(self, value: int | None) -> str:
        """The label of maturity `value`, or "" when unknown."""
        return next((label for v, label in self.levels if v == value), "")


def load_needs_template(tenant) -> NeedsTemplate:
    """The current version of `tenant`'s needs survey, from the database (one query per request,
    cached on `g`). Raises `NeedsTemplateError` when the tenant runs none."""
    stored = store.current(tenant.id, store.NEEDS)
    if stored is None:
        raise NeedsTemplateError("この事業ではDX課題把握アンケートを実施していません")
    return parse_needs(stored.definition, version=stored.version)


def has_needs_survey(tenant) -> bool:
    """True when `tenant` has a needs survey (shares the cached query of `load_needs_template`)."""
    return tenant is not None and store.current(tenant.id, store.NEEDS) is not None


def needs_versions(tenant, versions) -> dict[int, NeedsTemplate]:
    """`{version: NeedsTemplate}` of the given stored `versions` (one query for those not yet
    loaded in this request); unknown versions are left out."""
    return {n: parse_needs(s.definition, version=n) for n, s in store.versions(tenant.id, store.NEEDS, versions).items()}


def templates_of(tenant, responses) -> dict[int, NeedsTemplate]:
    """`{version: NeedsTemplate}` for the versions `responses` were answered against (at most one
    query), so that each answer is labelled with the levels it was given."""
    return needs_versions(tenant, {r.questionnaire_version for r in responses})


def read_needs_template(path: Path) -> NeedsTemplate:
    """Parse and validate a needs_survey.toml file. Raises `NeedsTemplateError` naming file and key."""
    if not path.is_file():
        raise NeedsTemplateError(f"{path}: ファイルがありません")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise NeedsTemplateError(f"{path}: {exc}") from exc
    return parse_needs(data, source=str(path))


def parse_needs(data: dict, *, source: str = "", version: int = 0) -> NeedsTemplate:
    """Validate a needs-survey definition (a dict of the shape above); `source` (a file name)
    prefixes the messages. Raises `NeedsTemplateError` naming the key."""
    where = f"{source}: " if source else ""
    if not isinstance(data, dict):
        raise NeedsTemplateError(f"{where}定義が表（テーブル）ではありません")
    title, maturity = data.get("title"), data.get("maturity")
    if not isinstance(title, str) or not title.strip():
        raise NeedsTemplateError(f"{where}キー 'title'（表題）は必須です")
    comment_max = data.get("comment_max", 1000)
    if type(comment_max) is not int or not 1 <= comment_max <= 10000:
        raise NeedsTemplateError(f"{where}キー 'comment_max' は1〜10000の文字数にしてください")
    if not isinstance(maturity, dict) or not isinstance(maturity.get("label"), str) or not maturity["label"].strip():
        raise NeedsTemplateError(f"{where}キー 'maturity.label' は必須です")
    return NeedsTemplate(title.strip(), maturity["label"].strip(), _levels(where, maturity.get("levels")), comment_max,
                         version)


def needs_definition(template: NeedsTemplate) -> dict:
    """The canonical definition of `template` (what is stored, compared and written to
    needs_survey.toml): `parse_needs(needs_definition(t))` equals `t` but for `version`."""
    return {"title": template.title, "comment_max": template.comment_max,
            "maturity": {"label": template.maturity_label,
                         "levels": [{"value": v, "label": label} for v, label in template.levels]}}


def _levels(where: str, raw) -> tuple[tuple[int, str], ...]:
    if not isinstance(raw, list) or len(raw) < 2:
        raise NeedsTemplateError(f"{where}キー 'maturity.levels' には段階が2つ以上必要です")
    levels = []
    for index, level in enumerate(raw):
        value = level.get("value") if isinstance(level, dict) else None
        label = level.get("label") if isinstance(level, dict) else None
        if type(value) is not int or value < 0 or not isinstance(label, str) or not label.strip():
            raise NeedsTemplateError(f"{where}キー 'maturity.levels[{index}]' には 0 以上の整数 value と label が必要です")
        levels.append((value, label.strip()))
    if len({v for v, _ in levels}) != len(levels):
        raise NeedsTemplateError(f"{where}キー 'maturity.levels' の value が重複しています")
    return tuple(levels)
