"""Forms of the reviews domain: conflict declaration and scoring (reviewer), rubric editor and
assignment (operator). The scoring form is built from the call's rubric."""
from __future__ import annotations

from typing import ClassVar

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    FieldList,
    FloatField,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import BaseForm, strip_filter
from app.reviews.rubric import Criterion

FIELD_PREFIX = "score_"
REASON_PREFIX = "reason_"


class DeclarationForm(BaseForm):
    """利害関係の申告: なし, or あり with the reason (shown to the operator)."""

    form_name = HiddenField(default="declare")
    has_conflict = RadioField(_l("利害関係"), choices=[SelectChoice("no", _l("利害関係はありません")),
                                                      SelectChoice("yes", _l("利害関係があります"))],
                              validators=[DataRequired(_l("利害関係の有無を選んでください。"))])
    reason = TextAreaField(_l("利害関係の内容（ありの場合）"), validators=[Optional(), Length(max=2000)], filters=[strip_filter])

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.has_conflict.data == "yes" and not self.reason.data:
            self.reason.errors = [*self.reason.errors, _l("利害関係の内容を入力してください。")]
            valid = False
        return valid


class ScoreFormBase(BaseForm):
    """Fields common to every rubric: the free comment (講評, optional)."""

    form_name = HiddenField(default="score")
    comment = TextAreaField(_l("講評（任意）"), validators=[Optional(), Length(max=2000)], filters=[strip_filter])
    criteria: ClassVar[list[Criterion]] = []

    def pairs(self) -> list[tuple]:
        """`[(criterion, score field, justification field)]` in rubric order."""
        return [(c, self[FIELD_PREFIX + c.key], self[REASON_PREFIX + c.key]) for c in self.criteria]

    def scores(self) -> dict[str, int]:
        """`{criterion_key: points}` of the criteria scored in a validated form."""
        return {c.key: int(f.data) for c, f, _r in self.pairs() if f.data}

    def justifications(self) -> dict[str, str]:
        """`{criterion_key: 評価理由}` of the criteria scored."""
        return {c.key: r.data or "" for c, f, r in self.pairs() if f.data}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for criterion, score, reason in self.pairs():
            if score.data and not reason.data:
                reason.errors = [*reason.errors, _l("「%(label)s」の評価理由を入力してください。", label=criterion.label)]
                valid = False
        return valid


def score_form_class(criteria: list[Criterion]) -> type[ScoreFormBase]:
    """A form class with, per criterion, a select of 1..max (required criteria must be chosen)
    and a justification text (required whenever the criterion is scored)."""
    attrs: dict = {"criteria": list(criteria)}
    for c in criteria:
        values = [str(v) for v in range(1, c.max + 1)]
        message = _l("%(label)sを1から%(max)dの範囲で選んでください。", label=c.label, max=c.max)
        checks = [DataRequired(message), AnyOf(values, message=message)] if c.required \
            else [Optional(), AnyOf(values, message=message)]
        attrs[FIELD_PREFIX + c.key] = SelectField(
            c.label if c.required else _l("%(label)s（任意）", label=c.label),
            choices=[SelectChoice("", _l("選択してください"))] + [SelectChoice(v) for v in values],
            validators=checks, validate_choice=False)
        attrs[REASON_PREFIX + c.key] = TextAreaField(_l("%(label)sの評価理由", label=c.label),
                                                     validators=[Optional(), Length(max=2000)], filters=[strip_filter])
    return type("ScoreForm", (ScoreFormBase,), attrs)


def score_form(criteria: list[Criterion], review=None) -> ScoreFormBase:
    """An instance bound to the request, pre-filled from an existing review on GET."""
    form_class = score_form_class(criteria)
    if review is None:
        return form_class()
    data = {FIELD_PREFIX + k: str(v) for k, v in (review.scores or {}).items()}
    data |= {REASON_PREFIX + k: v for k, v in (review.justifications or {}).items()}
    return form_class(data={**data, "comment": review.comment})


class CriterionRow(Form):
    """One line of the rubric editor (a blank line is ignored; `remove` drops the line)."""

    key = StringField(_l("項目キー"), validators=[Optional(), Length(max=40)], filters=[strip_filter])
    label = StringField(_l("評価項目"), validators=[Optional(), Length(max=200)], filters=[strip_filter])
    max_points = IntegerField(_l("配点"), validators=[Optional(), NumberRange(1, 100)])
    weight = FloatField(_l("重み"), validators=[Optional(), NumberRange(0.01, 100)])
    is_required = BooleanField(_l("必須"))
    remove = BooleanField(_l("削除"))

    def is_blank(self) -> bool:
        return not self.key.data and not self.label.data


class RubricForm(BaseForm):
    """The rubric of one call and kind: existing criteria plus blank lines to add."""

    rows = FieldList(FormField(CriterionRow), min_entries=1)

    def criteria(self) -> list[dict]:
        """`[{key, label, max, weight, required}]` of the kept, non-blank lines."""
        return [{"key": r.key.data, "label": r.label.data, "max": r.max_points.data or 5, "weight": r.weight.data or 1.0,
                 "required": bool(r.is_required.data)}
                for r in (entry.form for entry in self.rows) if not r.is_blank() and not r.remove.data]


class AutoAssignForm(BaseForm):
    """自動割当: reviewers per item and the cap per reviewer."""

    per_item = IntegerField(_l("1件あたりの審査員数"), default=2,
                            validators=[InputRequired(_l("1件あたりの審査員数を入力してください。")), NumberRange(1, 20)])
    cap_per_reviewer = IntegerField(_l("審査員1人あたりの上限件数"), default=10,
                                    validators=[InputRequired(_l("上限件数を入力してください。")), NumberRange(1, 1000)])


class ManualAssignForm(BaseForm):
    """Add or remove one reviewer on one item."""

    action = HiddenField(validators=[AnyOf(["add", "remove"])])
    item_id = IntegerField(validators=[InputRequired()])
    reviewer_id = IntegerField(_l("審査員"), validators=[InputRequired(_l("審査員を選んでください。"))])
