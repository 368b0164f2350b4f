"""The post-engagement survey form, built from the tenant's template (one field per question)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from app.core.forms import BaseForm, MultiCheckboxField, strip_filter
from app.surveys.template import Question, SurveyTemplate

TEXT_MAX = 2000
SCALE5_CHOICES = [SelectChoice(n, str(n)) for n in range(5, 0, -1)]


def _validators(question: Question) -> list:
    if question.required:
        return [InputRequired(message=_l("この設問に回答してください。"))]
    return [Optional()]


def _field(question: Question):
    if question.type == "single":
        return RadioField(question.label, choices=[SelectChoice(o) for o in question.options], validators=_validators(question))
    if question.type == "multi":
        return MultiCheckboxField(question.label, choices=[SelectChoice(o) for o in question.options], validators=_validators(question))
    if question.type == "scale5":
        return RadioField(question.label, choices=SCALE5_CHOICES, coerce=int, validators=_validators(question))
    return TextAreaField(question.label, filters=[strip_filter], validators=[
        *_validators(question), Length(max=TEXT_MAX, message=_l("%(max)d文字以内で入力してください。", max=TEXT_MAX))])


class SurveyFormBase(BaseForm):
    """Base of the generated survey forms."""

    questions: tuple[Question, ...] = ()

    def answers(self) -> dict:
        """`{question_key: value}` of the answered questions (str, list[str] or int for scale5)."""
        result = {}
        for question in self.questions:
            value = self[question.key].data
            if value not in (None, "", []):
                result[question.key] = value
        return result


def survey_form_class(template: SurveyTemplate) -> type[SurveyFormBase]:
    """A form class with one field per question of `template`, named by the question key."""
    attrs = {q.key: _field(q) for q in template.questions}
    attrs["questions"] = template.questions
    return type("SurveyForm", (SurveyFormBase,), attrs)
