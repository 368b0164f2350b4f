"""Questionnaire services: store a new version of a tenant's 事後アンケート or DX課題把握アンケート.

A save validates the whole definition (the same rules as the import files), stores it as the next
version when it differs from the current one and audits it; a save equal to the current version
writes nothing. Services flush, never commit, never read `flask.request`.
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record_audit
from app.extensions import db
from app.needs.template import NeedsTemplate, needs_definition, parse_needs
from app.questionnaires import store
from app.questionnaires.models import Questionnaire, QuestionnaireKind
from app.surveys.template import SurveyTemplate, parse_survey, survey_definition


class QuestionnaireConflict(ValueError):
    """Someone saved another version since the editor's page was loaded (message is Japanese)."""


def canonical(kind: QuestionnaireKind, definition: dict) -> dict:
    """The validated canonical form of `definition` (see `survey_definition` / `needs_definition`).
    Raises `SurveyTemplateError` or `NeedsTemplateError` (ValueError) naming the key."""
    if kind == QuestionnaireKind.SURVEY:
        return survey_definition(parse_survey(definition))
    return needs_definition(parse_needs(definition))


def template_of(kind: QuestionnaireKind, stored: store.Stored) -> SurveyTemplate | NeedsTemplate:
    """The parsed template of a stored version."""
    parse: Callable = parse_survey if kind == QuestionnaireKind.SURVEY else parse_needs
    return parse(stored.definition, version=stored.version)


def save_questionnaire(tenant, kind: QuestionnaireKind, definition: dict, *, actor,
                       base_version: int | None = None, via: str = "editor") -> Questionnaire | None:
    """Store `definition` as the next version of `tenant`'s questionnaire of `kind` (version 1
    when it has none) and audit `questionnaire.save` with `via` ("editor", "import", "sync").

    `base_version` is the version the editor started from (0 for "none yet"): when another save
    came in between, raises `QuestionnaireConflict` and writes nothing. Returns None (nothing
    written) when the definition equals the current version. Raises `SurveyTemplateError` /
    `NeedsTemplateError` for an invalid definition.
    """
    data = canonical(kind, definition)
    current = store.current(tenant.id, kind)
    current_version = current.version if current else 0
    if base_version is not None and base_version != current_version:
        raise QuestionnaireConflict(_("ほかの人が先にアンケートを保存しました（第%(n)d版）。最新の内容を確認してからやり直してください。",
                                      n=current_version))
    if current is not None and current.definition == data:
        return None
    row = Questionnaire(tenant_id=tenant.id, kind=kind, version=current_version + 1, definition=data,
                        created_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():  # the unique (tenant, kind, version) catches a simultaneous save
            db.session.add(row)
    except sa.exc.IntegrityError as exc:
        raise QuestionnaireConflict(_("ほかの人が同時にアンケートを保存しました。最新の内容を確認してからやり直してください。")) from exc
    store.forget(tenant.id)
    record_audit("questionnaire.save", tenant_id=tenant.id, actor=actor, target=row,
                 changes={"kind": str(kind), "version": row.version, "via": via})
    return row


def has_questionnaire(tenant, kind: QuestionnaireKind) -> bool:
    """True when `tenant` has any version of `kind` (not cached: for importers)."""
    return db.session.scalar(sa.select(Questionnaire.id).where(
        Questionnaire.tenant_id == tenant.id, Questionnaire.kind == kind).limit(1)) is not None
