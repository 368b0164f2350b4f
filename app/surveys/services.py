"""Survey services: the municipality answers the post-engagement survey (事後アンケート) and, where
the tenant asks for it, the follow-up survey of the next fiscal year, once per engagement and kind.
Services flush, never commit, never read `flask.request`."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record_audit
from app.core.clock import today_jst
from app.core.db import utcnow
from app.core.wareki import fiscal_year_of
from app.extensions import db
from app.surveys.models import SurveyResponse
from app.surveys.permissions import ANSWERABLE_STATES
from app.surveys.requests import request_survey
from app.surveys.states import SurveyKind
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


def response_exists(engagement, kind: SurveyKind = SurveyKind.INITIAL) -> bool:
    """True when the engagement's survey of `kind` has been answered."""
    return db.session.scalar(sa.select(SurveyResponse.id).where(
        SurveyResponse.engagement_id == engagement.id, SurveyResponse.tenant_id == engagement.tenant_id,
        SurveyResponse.kind == kind)) is not None


def check_answerable(engagement, kind: SurveyKind, template: SurveyTemplate, today: dt.date) -> SurveyTemplate:
    """The questionnaire of `kind` if the engagement's survey can be answered now, else `SurveyError`:
    COMPLETED or CLOSED, not answered yet; a follow-up only when the tenant offers one and only in
    the fiscal year after the engagement's (FY+1)."""
    if engagement.state not in ANSWERABLE_STATES:
        raise SurveyError(_("支援完了後にアンケートに回答できます。"))
    questionnaire = template.for_kind(kind)
    if questionnaire is None:
        raise SurveyError(_("この事業ではフォローアップアンケートを実施していません。"))
    if kind == SurveyKind.FOLLOW_UP and fiscal_year_of(today) != engagement.fiscal_year + 1:
        raise SurveyError(_("フォローアップアンケートは支援の翌年度にだけ回答できます。"))
    if response_exists(engagement, kind):
        raise SurveyError(_("この支援案件のアンケートは回答済みです。"))
    return questionnaire


def submit_survey(engagement, *, actor, answers: dict, template: SurveyTemplate | None = None,
                  kind: SurveyKind = SurveyKind.INITIAL, today: dt.date | None = None, via: str = "account") -> SurveyResponse:
    """Store the municipality's answers for `engagement` (once per kind) and mark its request answered.

    `answers` is `{question_key: value}`; `template` defaults to the tenant's current survey, whose version the response records; `via` is
    "account" or "link" (audited). `is_problem_solved` is True when the `problem_solved` answer is
    one of the questionnaire's `solved_options` (課題解決につながった, 001:195), None when
    unanswered. Raises `SurveyError` (see `check_answerable`).
    """
    today = today or today_jst()
    if template is None:
        template = load_survey_template(db.session.get(Tenant, engagement.tenant_id))
    questionnaire = check_answerable(engagement, kind, template, today)
    cleaned = clean_answers(questionnaire, answers)
    solved = cleaned.get(SOLVED_KEY)
    response = SurveyResponse(
        tenant_id=engagement.tenant_id, engagement_id=engagement.id, kind=kind, answers=cleaned,
        is_problem_solved=None if solved is None else solved in questionnaire.solved_options,
        questionnaire_version=template.version,
        submitted_at=utcnow(), submitted_by_id=getattr(actor, "id", None),
    )
    db.session.add(response)
    request = request_survey(engagement, actor=actor, kind=kind, today=today, template=template, notify=False)
    request.answered_at = response.submitted_at
    db.session.flush()
    record_audit("survey.submit", tenant_id=engagement.tenant_id, actor=actor, target=response,
                 changes={"engagement_id": engagement.id, "kind": str(kind), "via": via})
    return response
