"""The reviewer's scoring form, built from the tenant's rubric (one select of 1..max per criterion)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectChoice, SelectField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Optional

from app.core.forms import BaseForm, strip_filter

FIELD_PREFIX = "score_"


class ScoreFormBase(BaseForm):
    """Fields common to every rubric: the free comment."""

    comment = TextAreaField(_l("講評"), validators=[Optional(), Length(max=2000)], filters=[strip_filter])

    def score_fields(self) -> list:
        """The rubric's select fields, in rubric order."""
        return [field for name, field in self._fields.items() if name.startswith(FIELD_PREFIX)]

    def scores(self) -> dict[str, int]:
        """`{criterion_key: points}` from a validated form."""
        return {field.name.removeprefix(FIELD_PREFIX): int(field.data) for field in self.score_fields()}


def score_form_class(criteria: list[dict]) -> type[ScoreFormBase]:
    """A form class with one required select per rubric criterion `{key, label, max}`."""
    attrs = {}
    for criterion in criteria:
        values = [str(v) for v in range(1, criterion["max"] + 1)]
        message = _l("%(label)sを1から%(max)dの範囲で選んでください。", label=criterion["label"], max=criterion["max"])
        attrs[FIELD_PREFIX + criterion["key"]] = SelectField(
            criterion["label"],
            choices=[SelectChoice("", _l("選択してください"))] + [SelectChoice(v) for v in values],
            validators=[DataRequired(message), AnyOf(values, message=message)],
            validate_choice=False,
        )
    return type("ScoreForm", (ScoreFormBase,), attrs)


def score_form(criteria: list[dict], review=None) -> ScoreFormBase:
    """An instance bound to the request, pre-filled from an existing review on GET."""
    form_class = score_form_class(criteria)
    if review is None:
        return form_class()
    data = {FIELD_PREFIX + key: str(value) for key, value in (review.scores or {}).items()}
    return form_class(data={**data, "comment": review.comment})
