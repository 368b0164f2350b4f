"""The tenant's post-engagement survey (事後アンケート), stored versioned in the database
(`app.questionnaires`, kind "survey"); `tenants/<slug>/survey.toml` is its import/export form.

Definition (the TOML file's shape, and the JSON stored per version): top-level `title`,
`solved_options` (answers of the `problem_solved` question that count as 課題解決につながった,
001:195) and `questions` with `key`, `type` (single | multi | scale5 | text), `label`, `options`
(single/multi) and `required`. Optional: `due_days` (answer within, days after the request,
default 30), `link_days` (a private link expires after, default 14) and `follow_up = true` with a
`follow_up_survey` table (its own `title`, `solved_options` and `questions`, same rules) asked in
the next fiscal year. Errors name the key, and the file when read from one (`SurveyTemplateError`).
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path

from app.questionnaires import store

TYPES = ("single", "multi", "scale5", "text")
SOLVED_KEY = "problem_solved"
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
# Attribute names of a WTForms form that a question key must not shadow.
RESERVED_KEYS = {"csrf_token", "data", "errors", "meta", "validate", "populate_obj", "process", "submit"}


class SurveyTemplateError(ValueError):
    """The survey definition is invalid (the message names the key, and the file if any), or the
    tenant has none."""


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
    """A parsed survey definition; `version` is its stored version (0 when not from the database)."""

    title: str
    questions: tuple[Question, ...]
    solved_options: tuple[str, ...]
    due_days: int = 30
    link_days: int = 14
    follow_up: SurveyTemplate | None = None
    version: int = 0

    def question(self, key: str) -> Question | None:
        """The question with `key`, or None."""
        return next((q for q in self.questions if q.key == key), None)

    def for_kind(self, kind: str) -> SurveyTemplate | None:
        """The questionnaire of a survey kind ("initial" or "follow_up"); None when not offered."""
        return self if kind == "initial" else self.follow_up


def load_survey_template(tenant) -> SurveyTemplate:
    """The current version of `tenant`'s survey, from the database (one query per request,
    cached on `g`). Raises `SurveyTemplateError` when the tenant has none."""
    stored = store.current(tenant.id, store.SURVEY)
    if stored is None:
        raise SurveyTemplateError("この事業では事後アンケートが設定されていません")
    return parse_survey(stored.definition, version=stored.version)


def survey_template_or_none(tenant) -> SurveyTemplate | None:
    """The current survey of `tenant`, or None when it has none (pages and jobs that merely list
    surveys then show what exists instead of failing)."""
    try:
        return load_survey_template(tenant)
    except SurveyTemplateError:
        return None


def survey_versions(tenant, versions) -> dict[int, SurveyTemplate]:
    """`{version: SurveyTemplate}` of the given stored `versions` of `tenant`'s survey (one query
    for those not yet loaded in this request); versions that do not exist are left out. Pages that
    show an answer use the version it was answered against."""
    return {n: parse_survey(s.definition, version=n) for n, s in store.versions(tenant.id, store.SURVEY, versions).items()}


def survey_of_version(tenant, version: int) -> SurveyTemplate | None:
    """The survey `tenant` had at `version`, or None."""
    return survey_versions(tenant, [version]).get(version)


def read_survey_template(path: Path) -> SurveyTemplate:
    """Parse and validate a survey.toml file. Raises `SurveyTemplateError` naming file and key."""
    if not path.is_file():
        raise SurveyTemplateError(f"{path}: ファイルがありません")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SurveyTemplateError(f"{path}: {exc}") from exc
    return parse_survey(data, source=str(path))


def parse_survey(data: dict, *, source: str = "", version: int = 0) -> SurveyTemplate:
    """Validate a survey definition (a dict of the shape above). `source` (a file name) prefixes
    the messages. Raises `SurveyTemplateError` naming the key, e.g. `キー 'questions[1].type'…`."""
    where = f"{source}: " if source else ""
    if not isinstance(data, dict):
        raise SurveyTemplateError(f"{where}定義が表（テーブル）ではありません")
    template = _section(where, data, "")
    due_days, link_days = (_days(where, data, key, default) for key, default in (("due_days", 30), ("link_days", 14)))
    follow_up = None
    if data.get("follow_up", False) is True:
        if not isinstance(data.get("follow_up_survey"), dict):
            raise SurveyTemplateError(f"{where}follow_up = true のときはキー 'follow_up_survey' が必要です")
        follow_up = replace(_section(where, data["follow_up_survey"], "follow_up_survey."), version=version)
    elif data.get("follow_up", False) is not False:
        raise SurveyTemplateError(f"{where}キー 'follow_up' は true か false にしてください")
    return SurveyTemplate(template.title, template.questions, template.solved_options, due_days, link_days, follow_up,
                          version)


def survey_definition(template: SurveyTemplate) -> dict:
    """The canonical definition of `template` (what is stored, compared and written to
    survey.toml): `parse_survey(survey_definition(t))` equals `t` but for `version`."""
    data = {"title": template.title, "due_days": template.due_days, "link_days": template.link_days,
            "follow_up": template.follow_up is not None, **_section_definition(template)}
    if template.follow_up is not None:
        data["follow_up_survey"] = {"title": template.follow_up.title, **_section_definition(template.follow_up)}
    return data


def _section_definition(template: SurveyTemplate) -> dict:
    return {"solved_options": list(template.solved_options), "questions": [_question_definition(q) for q in template.questions]}


def _question_definition(question: Question) -> dict:
    data = {"key": question.key, "type": question.type, "label": question.label}
    if question.options:
        data["options"] = list(question.options)
    data["required"] = question.required
    return data


def _section(where: str, data: dict, prefix: str) -> SurveyTemplate:
    """One questionnaire (`title`, `questions`, `solved_options`); `prefix` names its table in errors."""
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise SurveyTemplateError(f"{where}キー '{prefix}title'（表題）は必須です")
    raw_questions = data.get("questions")
    if not isinstance(raw_questions, list) or not raw_questions:
        raise SurveyTemplateError(f"{where}キー '{prefix}questions' には [[{prefix}questions]] が1つ以上必要です")
    questions = tuple(_question(where, i, raw, prefix) for i, raw in enumerate(raw_questions))
    _check_unique_keys(where, questions, prefix)
    solved = _solved_options(where, data.get("solved_options"), questions, prefix)
    return SurveyTemplate(title.strip(), questions, solved)


def _days(where: str, data: dict, key: str, default: int) -> int:
    value = data.get(key, default)
    if type(value) is not int or not 1 <= value <= 365:
        raise SurveyTemplateError(f"{where}キー '{key}' は1〜365の日数にしてください（{value!r}）")
    return value


def _question(source: str, index: int, raw, prefix: str = "") -> Question:
    where = f"{source}キー '{prefix}questions[{index}]"
    if not isinstance(raw, dict):
        raise SurveyTemplateError(f"{where}' は表（テーブル）にしてください")
    key = raw.get("key")
    if not isinstance(key, str) or not KEY_PATTERN.match(key) or key in RESERVED_KEYS:
        raise SurveyTemplateError(f"{where}.key' は英小文字・数字・_ にしてください（{key!r}）")
    qtype, label = raw.get("type"), raw.get("label")
    if qtype not in TYPES:
        raise SurveyTemplateError(f"{where}.type'（{key}）は {', '.join(TYPES)} のいずれかにしてください（{qtype!r}）")
    if not isinstance(label, str) or not label.strip():
        raise SurveyTemplateError(f"{where}.label'（{key}）は必須です")
    options = raw.get("options", [])
    if qtype in ("single", "multi"):
        if (not isinstance(options, list) or len(options) < 2
                or not all(isinstance(o, str) and o.strip() for o in options)
                or len({o.strip() for o in options}) != len(options)):
            raise SurveyTemplateError(f"{where}.options'（{key}）には空でない異なる選択肢が2つ以上必要です")
    elif options:
        raise SurveyTemplateError(f"{where}.options'（{key}）は single と multi の設問にだけ指定できます")
    required = raw.get("required", False)
    if not isinstance(required, bool):
        raise SurveyTemplateError(f"{where}.required'（{key}）は true か false にしてください")
    return Question(key, qtype, label.strip(), tuple(o.strip() for o in options), required)


def _check_unique_keys(where: str, questions: tuple[Question, ...], prefix: str = "") -> None:
    seen: set[str] = set()
    for question in questions:
        if question.key in seen:
            raise SurveyTemplateError(f"{where}キー '{prefix}questions.key' の {question.key!r} が重複しています")
        seen.add(question.key)


def _solved_options(where: str, raw, questions: tuple[Question, ...], prefix: str = "") -> tuple[str, ...]:
    solved_question = next((q for q in questions if q.key == SOLVED_KEY), None)
    if solved_question is None or solved_question.type != "single":
        raise SurveyTemplateError(f"{where}キー '{prefix}questions' には key = '{SOLVED_KEY}' の single 設問（課題解決につながったか、001:195）が必要です")
    if not isinstance(raw, list) or not raw or not all(isinstance(o, str) for o in raw):
        raise SurveyTemplateError(f"{where}キー '{prefix}solved_options' に「課題解決につながった」とみなす回答を列挙してください")
    unknown = [o for o in raw if o not in solved_question.options]
    if unknown:
        raise SurveyTemplateError(f"{where}キー '{prefix}solved_options' に '{SOLVED_KEY}' の選択肢にない回答があります: {', '.join(unknown)}")
    return tuple(dict.fromkeys(raw))
