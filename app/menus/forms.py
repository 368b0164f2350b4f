"""Forms of the menus domain: the provider's proposal form and the operator's decision form."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from app.core.forms import BaseForm, MultiCheckboxField, strip_filter
from app.menus.states import DeliveryFormat


class ProposalForm(BaseForm):
    """What a provider may set on its proposal (never state, provider or call)."""

    title = StringField(_l("件名"), validators=[DataRequired(_l("件名を入力してください。")), Length(max=200)],
                        filters=[strip_filter])
    categories = MultiCheckboxField(_l("分類"), validators=[DataRequired(_l("分類を1つ以上選んでください。"))],
                                    invalid_choice_message=_l("分類は一覧から選んでください。"))
    description = TextAreaField(_l("内容"), validators=[DataRequired(_l("内容を入力してください。")), Length(max=5000)],
                                filters=[strip_filter])
    deliverables = TextAreaField(_l("成果物"), validators=[Optional(), Length(max=5000)], filters=[strip_filter])
    format = SelectField(_l("実施形態"), choices=DeliveryFormat.choices(),
                         default=DeliveryFormat.HYBRID.value, invalid_choice_message=_l("実施形態は一覧から選んでください。"))
    regions_served = MultiCheckboxField(_l("対応地域"), validators=[Optional()],
                                        invalid_choice_message=_l("対応地域は一覧から選んでください。"))
    capacity = IntegerField(_l("対応可能な市町村数"), validators=[
        InputRequired(_l("対応可能な市町村数を入力してください。")),
        NumberRange(1, 1000, _l("1以上1000以下の整数で入力してください。")),
    ])
    unit_cost_thousand_yen = IntegerField(_l("1件あたりの費用（千円）"), validators=[
        InputRequired(_l("費用を入力してください。")),
        NumberRange(0, 10_000_000, _l("0以上の整数（千円）で入力してください。")),
    ])
    version_id = HiddenField()  # the version being edited, to detect a concurrent save

    def set_choices(self, tenant, regions: list[str]) -> ProposalForm:
        """Fill the checkbox choices from the tenant's categories and regions."""
        self.categories.choices = [SelectChoice(c["code"], c["label"]) for c in tenant.categories or []]
        self.regions_served.choices = [SelectChoice(r) for r in regions]
        return self

    def values(self) -> dict:
        """The validated fields as keyword arguments of the proposal services."""
        return {name: getattr(self, name).data for name in (
            "title", "categories", "description", "deliverables", "format", "regions_served", "capacity",
            "unit_cost_thousand_yen",
        )} | {"deliverables": self.deliverables.data or ""}



DECISIONS = [SelectChoice("adopt", _l("採択")), SelectChoice("reject", _l("不採択")), SelectChoice("undo", _l("決定を取り消す"))]


class DecisionForm(BaseForm):
    """The operator's adopt/reject/undo decision on one proposal (reason required to reject)."""

    decision = RadioField(_l("採否"), choices=DECISIONS, validators=[InputRequired(_l("採否を選んでください。"))],
                          invalid_choice_message=_l("採否を選んでください。"))
    reason = TextAreaField(_l("理由"), validators=[Optional(), Length(max=2000)], filters=[strip_filter])

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.decision.data == "reject" and not self.reason.data:
            self.reason.errors.append(_l("不採択の理由を入力してください。"))
            return False
        return ok
