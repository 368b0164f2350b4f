"""The questionnaires of a tenant folder (`tenants/<slug>/survey.toml`, `needs_survey.toml`) as an
import/export format: read and validate the files, load them into a tenant that has none, say what
differs from the database, write the database's current versions back.

Nothing here runs at request time. `data` below is `{"survey": definition | None, "needs":
definition | None}` with canonical definitions (`app.questionnaires.services.canonical`).
"""
from __future__ import annotations

from pathlib import Path

import tomli_w

from app.needs.template import read_needs_template, needs_definition
from app.questionnaires import store
from app.questionnaires.models import QuestionnaireKind
from app.questionnaires.services import has_questionnaire, save_questionnaire
from app.surveys.template import read_survey_template, survey_definition

FILES = {QuestionnaireKind.SURVEY: "survey.toml", QuestionnaireKind.NEEDS: "needs_survey.toml"}
NAMES = {QuestionnaireKind.SURVEY: "事後アンケート", QuestionnaireKind.NEEDS: "DX課題把握アンケート"}
HEADERS = {
    QuestionnaireKind.SURVEY: "# 事後アンケート (post-engagement survey). Written by the export; read by `flask tenants import`.\n"
                              "# Question types: single | multi | scale5 | text (app/surveys/template.py).\n",
    QuestionnaireKind.NEEDS: "# DX課題把握アンケート (needs survey). Written by the export; read by `flask tenants import`.\n"
                             "# Issue categories are the tenant's categories.csv (app/needs/template.py).\n",
}


class QuestionnaireTransferError(ValueError):
    """The tenant already has the questionnaire that an import would load (message is Japanese)."""


def read_files(folder: Path) -> dict:
    """Parse and validate `folder`/survey.toml and `folder`/needs_survey.toml (either may be absent).

    Returns `{"survey": definition | None, "needs": definition | None}` (canonical dicts). Raises
    `SurveyTemplateError` or `NeedsTemplateError` (ValueError subclasses) whose message names the
    file and the key, e.g. `tenants/x/survey.toml: キー 'questions[1].type'（comment）は…`.
    """
    survey_path, needs_path = folder / FILES[QuestionnaireKind.SURVEY], folder / FILES[QuestionnaireKind.NEEDS]
    return {
        "survey": survey_definition(read_survey_template(survey_path)) if survey_path.is_file() else None,
        "needs": needs_definition(read_needs_template(needs_path)) if needs_path.is_file() else None,
    }


def apply(tenant, data: dict, *, actor=None) -> None:
    """Store the definitions of `data` (from `read_files`) as version 1 of `tenant`'s questionnaires
    (audited `questionnaire.save`, via "import"); kinds that are None are left alone. Raises
    `QuestionnaireTransferError` when the tenant already has a version of a kind `data` holds
    (nothing written), and `SurveyTemplateError` / `NeedsTemplateError` for an invalid definition.
    Flushes, never commits; the tenant must be the active one (`tenant_scope`)."""
    kinds = [kind for kind in QuestionnaireKind if data.get(kind.value) is not None]
    taken = [NAMES[kind] for kind in kinds if has_questionnaire(tenant, kind)]
    if taken:
        raise QuestionnaireTransferError(f"{'・'.join(taken)}はすでにデータベースにあります（取り込めるのは未設定のテナントだけです）")
    for kind in kinds:
        save_questionnaire(tenant, kind, data[kind.value], actor=actor, base_version=0, via="import")


def differences(tenant, data: dict) -> list[str]:
    """Japanese lines saying how the database's current versions differ from `data` (from
    `read_files`); `[]` when they are equal. A kind absent on both sides is equal."""
    lines: list[str] = []
    for kind in QuestionnaireKind:
        stored = store.current(tenant.id, kind)
        theirs = data.get(kind.value)
        name, file = NAMES[kind], FILES[kind]
        if stored is None and theirs is None:
            continue
        if stored is None:
            lines.append(f"{name}: ファイル {file} にありますが、データベースにはありません")
        elif theirs is None:
            lines.append(f"{name}: データベースにあります（第{stored.version}版）が、ファイル {file} がありません")
        elif stored.definition != theirs:
            lines += [f"{name}（第{stored.version}版と {file}）: {line}" for line in _diff(stored.definition, theirs)]
    return lines


def _diff(ours: dict, theirs: dict, prefix: str = "") -> list[str]:
    """Differences key by key; questions are compared by their `key`."""
    lines = []
    for key in dict.fromkeys([*ours, *theirs]):
        a, b = ours.get(key), theirs.get(key)
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            lines += _diff(a, b, f"{prefix}{key}.")
        elif key == "questions" and isinstance(a, list) and isinstance(b, list):
            lines += _diff_questions(a, b, f"{prefix}{key}")
        else:
            lines.append(f"'{prefix}{key}' がデータベースでは {_show(a)}、ファイルでは {_show(b)} です")
    return lines


def _diff_questions(ours: list, theirs: list, where: str) -> list[str]:
    mine, other = {q["key"]: q for q in ours}, {q["key"]: q for q in theirs}
    lines = [f"'{where}' の設問 {key!r} はデータベースにだけあります" for key in mine if key not in other]
    lines += [f"'{where}' の設問 {key!r} はファイルにだけあります" for key in other if key not in mine]
    for key in [k for k in mine if k in other]:
        lines += _diff(mine[key], other[key], f"{where}[{key}].")
    if not lines and [q["key"] for q in ours] != [q["key"] for q in theirs]:
        lines.append(f"'{where}' の設問の順番が違います")
    return lines


def _show(value) -> str:
    if value is None:
        return "（なし）"
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "［" + "、".join(value) + "］"
    return repr(value) if not isinstance(value, str) else f"「{value}」"


def write_files(tenant, folder: Path) -> None:
    """Write `tenant`'s current versions to `folder`/survey.toml and needs_survey.toml (UTF-8) so
    that `read_files(folder)` returns them unchanged; a kind the tenant has none of removes that
    file, so the folder never carries a questionnaire the database does not have. The tenant
    must be the active one (`tenant_scope`)."""
    folder.mkdir(parents=True, exist_ok=True)
    for kind, name in FILES.items():
        stored = store.current(tenant.id, kind)
        path = folder / name
        if stored is None:
            path.unlink(missing_ok=True)
            continue
        path.write_text(HEADERS[kind] + "\n" + tomli_w.dumps(stored.definition), encoding="utf-8")
