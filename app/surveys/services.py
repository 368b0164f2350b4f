"""Survey services: the municipality answers the post-engagement survey (事後アンケート) once per
engagement. Services flush, never commit, never read `flask.request`."""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record_audit
from app.core.db import utcnow
from app.extensions import db
from app.surveys.models import SurveyResponse
from app.surveys.permissions import ANSWERABLE_STATES
from app.surveys.template import SOLVED_KEY, Question, SurveyTemplate, load_survey_template
from app.tenancy.models import Tenant

TEXT_MAX = 2000


class SurveyError(ValueError):
    """The survey cannot be answered as given (message is user-facing Japanese)."""


def _clean_value(question: Question, value):
    if question.type == "single" and isinstance(value, str) and value in question.options:
        return value
    if question.type == "multi" and isinstance(value, list) and value and set(value) <= set(question.options):
        return [o for o in question.options if o in value]
    if question.type == "scale5" and type(value) is int and 1 <= value <= 5:
        return value
    if question.type == "text" and isinstance(value, str) and len(value.strip()) <= TEXT_MAX:
        return value.strip()
    raise SurveyError(_("「%(label)s」の回答が正しくありません。", label=question.label))


def clean_answers(template: SurveyTemplate, answers: dict) -> dict:
    """Validate `answers` against `template`: known keys only, required ones present, values of
    the question's type (single: one option; multi: options; scale5: 1–5; text: ≤2000 chars).
    Returns the cleaned answers; raises `SurveyError`."""
    known = {q.key for q in template.questions}
    if set(answers) - known:
        raise SurveyError(_("アンケートにない設問への回答が含まれています。"))
    cleaned = {}
    for question in template.questions:
        value = answers.get(question.key)
        if value in (None, "", []):
            if question.required:
                raise SurveyError(_("「%(label)s」に回答してください。", label=question.label))
            continue
        cleaned[question.key] = _clean_value(question, value)
    return cleaned


def response_exists(engagement) -> bool:
    """True when the engagement's survey has been answered."""
    return db.session.scalar(sa.select(SurveyResponse.id).where(
        SurveyResponse.engagement_id == engagement.id, SurveyResponse.tenant_id == engagement.tenant_id)) is not None


def submit_survey(engagement, *, actor, answers: dict, template: SurveyTemplate | None = None) -> SurveyResponse:
    """Store the municipality's answers for `engagement` (once; COMPLETED or CLOSED only).

    `answers` is `{question_key: value}`; `template` defaults to the tenant's survey.toml.
    `is_problem_solved` is True when the `problem_solved` answer is one of `solved_options`
    (課題解決につながった, 001:195), None when unanswered. Raises `SurveyError`.
    """
    if engagement.state not in ANSWERABLE_STATES:
        raise SurveyError(_("支援完了後にアンケートに回答できます。"))
    if response_exists(engagement):
        raise SurveyError(_("この支援案件のアンケートは回答済みです。"))
    if template is None:
        template = load_survey_template(db.session.get(Tenant, engagement.tenant_id))
    cleaned = clean_answers(template, answers)
    solved = cleaned.get(SOLVED_KEY)
    response = SurveyResponse(
        tenant_id=engagement.tenant_id, engagement_id=engagement.id, answers=cleaned,
        is_problem_solved=None if solved is None else solved in template.solved_options,
        submitted_at=utcnow(), submitted_by_id=getattr(actor, "id", None),
    )
    db.session.add(response)
    db.session.flush()
    record_audit("survey.submit", tenant_id=engagement.tenant_id, actor=actor, target=response,
                 changes={"engagement_id": engagement.id})
    return response
