"""Operator forms for calls."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, FormField, IntegerField, StringField, TextAreaField
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from app.calls.states import WINDOW_PHASES
from app.core.forms import BaseForm, strip_filter


class CallCreateForm(BaseForm):
    fiscal_year = IntegerField(_l("年度（西暦の開始年）"), validators=[DataRequired(), NumberRange(2000, 2100)])
    budget_thousand_yen = IntegerField(_l("予算額（千円）"), validators=[InputRequired(), NumberRange(0, 10_000_000)])  # 0 allowed


class _WindowForm(BaseForm):
    class Meta:
        csrf = False  # nested in a form that carries the token

    starts_on = DateField(_l("開始日"), validators=[Optional()])
    ends_on = DateField(_l("終了日"), validators=[Optional()])


class CallEditForm(BaseForm):
    title = StringField(_l("名称"), validators=[DataRequired(), Length(max=200)], filters=[strip_filter])
    budget_thousand_yen = IntegerField(_l("予算額（千円）"), validators=[InputRequired(), NumberRange(0, 10_000_000)])  # 0 allowed
    max_choices = IntegerField(_l("1申込あたりの希望数（上限）"), validators=[DataRequired(), NumberRange(1, 10)])
    max_applications_per_municipality = IntegerField(_l("1市町村あたりの申込数（上限）"), validators=[DataRequired(), NumberRange(1, 20)])
    max_engagements_first_pass = IntegerField(_l("第1段階の1市町村あたり選定数"), validators=[DataRequired(), NumberRange(1, 20)])
    max_engagements_per_municipality = IntegerField(_l("1市町村あたりの選定数（上限）"), validators=[DataRequired(), NumberRange(1, 20)])
    priority_lookback_years = IntegerField(_l("優先：過去何年間支援なし"), validators=[DataRequired(), NumberRange(1, 10)])
    coverage_window_years = IntegerField(_l("全市町村支援の目標期間（年）"), validators=[DataRequired(), NumberRange(1, 10)])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.max_engagements_first_pass.data > self.max_engagements_per_municipality.data:
            self.max_engagements_first_pass.errors.append(_l("第1段階の選定数は1市町村あたりの上限以下にしてください。"))
            return False
        return ok


def window_form_class():
    """CallEditForm extended with one start/end pair per phase window (built once at import)."""
    attrs = {phase.value: FormField(_WindowForm, label=phase.lazy_label) for phase in WINDOW_PHASES}
    return type("CallEditWithWindowsForm", (CallEditForm,), attrs)


CallEditWithWindowsForm = window_form_class()


class AdvanceForm(BaseForm):
    note = TextAreaField(_l("メモ（任意）"), validators=[Optional(), Length(max=1000)], filters=[strip_filter])
