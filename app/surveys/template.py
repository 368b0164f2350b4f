"""The tenant's post-engagement survey template (`tenants/<slug>/survey.toml`).

Format: top-level `title`, `solved_options` (answers of the `problem_solved` question that count as
課題解決につながった, 001:195) and `[[questions]]` with `key`, `type` (single | multi | scale5 |
text), `label`, `options` (single/multi) and `required`. Errors name the file and the key
(`SurveyTemplateError`), like the tenant loader's.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

TYPES = ("single", "multi", "scale5", "text")
SOLVED_KEY = "problem_solved"
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Attribute names of a WTForms form that a question key must not shadow.
RESERVED_KEYS = {"csrf_token", "data", "errors", "meta", "validate", "populate_obj", "process", "submit"}


class SurveyTemplateError(ValueError):
    """The survey template is invalid; the message names the file and the key."""


@dataclass(frozen=True)
class Question:
    """One question. `options` are the choices of single/multi questions (empty otherwise)."""

    key: str
    type: str
    label: str
    options: tuple[str, ...] = ()
    required: bool = False


@dataclass(frozen=True)
class SurveyTemplate:
    """A parsed survey template."""

    title: str
    questions: tuple[Question, ...]
    solved_options: tuple[str, ...]

    def question(self, key: str) -> Question | None:
        """The question with `key`, or None."""
        return next((q for q in self.questions if q.key == key), None)


def template_path(tenant) -> Path:
    """`<TENANTS_DIR>/<tenant.slug>/survey.toml` of the running app."""
    return Path(current_app.config["TENANTS_DIR"]) / tenant.slug / "survey.toml"


def load_survey_template(tenant) -> SurveyTemplate:
    """The survey template of `tenant` (read on each call: it is small). Raises `SurveyTemplateError`."""
    return read_survey_template(template_path(tenant))


def read_survey_template(path: Path) -> SurveyTemplate:
    """Parse and validate a survey.toml file. Raises `SurveyTemplateError` naming file and key."""
    if not path.is_file():
        raise SurveyTemplateError(f"{path}: not found")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SurveyTemplateError(f"{path}: {exc}") from exc
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise SurveyTemplateError(f"{path}: key 'title' is required")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise SurveyTemplateError(f"{path}: key 'questions' needs at least one [[questions]] table")
    questions = tuple(_question(path, i, raw) for i, raw in enumerate(raw_questions))
    _check_unique_keys(path, questions)
    solved = _solved_options(path, data.get("solved_options"), questions)
    return SurveyTemplate(title.strip(), questions, solved)


def _question(path: Path, index: int, raw) -> Question:
    where = f"{path}: key 'questions[{index}]"
    if not isinstance(raw, dict):
        raise SurveyTemplateError(f"{where}' must be a table")
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key) or key in RESERVED_KEYS:
        raise SurveyTemplateError(f"{where}.key' must be lower-case letters, digits and _ (got {key!r})")
    qtype, label = raw.get("type"), raw.get("label")
    if qtype not in TYPES:
        raise SurveyTemplateError(f"{where}.type' ({key}) must be one of {', '.join(TYPES)} (got {qtype!r})")
    if not isinstance(label, str) or not label.strip():
        raise SurveyTemplateError(f"{where}.label' ({key}) is required")
    options = raw.get("options", [])
    if qtype in ("single", "multi"):
        if (not isinstance(options, list) or len(options) < 2
                or not all(isinstance(o, str) and o.strip() for o in options) or len(set(options)) != len(options)):
            raise SurveyTemplateError(f"{where}.options' ({key}) needs at least two distinct non-empty strings")
    elif options:
        raise SurveyTemplateError(f"{where}.options' ({key}) is only allowed for single and multi questions")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise SurveyTemplateError(f"{where}.required' ({key}) must be true or false")
    return Question(key, qtype, label.strip(), tuple(o.strip() for o in options), required)


def _check_unique_keys(path: Path, questions: tuple[Question, ...]) -> None:
    seen: set[str] = set()
    for question in questions:
        if question.key in seen:
            raise SurveyTemplateError(f"{path}: key 'questions.key' {question.key!r} is used twice")
        seen.add(question.key)


def _solved_options(path: Path, raw, questions: tuple[Question, ...]) -> tuple[str, ...]:
    solved_question = next((q for q in questions if q.key == SOLVED_KEY), None)
    if solved_question is None or solved_question.type != "single":
        raise SurveyTemplateError(f"{path}: key 'questions' needs a single question with key '{SOLVED_KEY}' (001:195)")
    if not isinstance(raw, list) or not raw or not all(isinstance(o, str) for o in raw):
        raise SurveyTemplateError(f"{path}: key 'solved_options' must list the answers that count as 課題解決につながった")
    unknown = [o for o in raw if o not in solved_question.options]
    if unknown:
        raise SurveyTemplateError(f"{path}: key 'solved_options' names answers that '{SOLVED_KEY}' does not offer: {', '.join(unknown)}")
    return tuple(raw)
