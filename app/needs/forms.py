"""Needs-survey forms: the operator's round dates, and the municipality's answer (built from the
tenant's categories and needs_survey.toml)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField, IntegerField, RadioField, SelectChoice, TextAreaField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.core.forms import BaseForm, MultiCheckboxField, strip_filter
from app.needs.template import NeedsTemplate


class RoundForm(BaseForm):
    """Open a fiscal year's needs survey, or change its dates."""

    fiscal_year = IntegerField(_l("年度（西暦の開始年）"), validators=[InputRequired(message=_l("年度を入力してください。")),
                                                                  NumberRange(2000, 2100, message=_l("年度が正しくありません。"))])
    opens_on = DateField(_l("回答受付の開始日"), validators=[InputRequired(message=_l("日付を入力してください。"))])
    closes_on = DateField(_l("回答の締切日"), validators=[InputRequired(message=_l("日付を入力してください。"))])


class NeedsAnswerFormBase(BaseForm):
    """Base of the generated answer form; `comment_fields` pairs category codes with field names."""

    comment_fields: tuple[tuple[str, str], ...] = ()

    def comments(self) -> dict:
        """`{category_code: text}` of the non-empty comments."""
        return {code: self[name].data for code, name in self.comment_fields if self[name].data}


def needs_form_class(tenant, template: NeedsTemplate) -> type[NeedsAnswerFormBase]:
    """The answer form: categories (multi-select), maturity (one level), a comment per category."""
    categories = [SelectChoice(c["code"], c["label"]) for c in tenant.categories or []]
    attrs = {
        "categories": MultiCheckboxField(_l("課題の分類（複数選択可）"), choices=categories,
                                         validators=[InputRequired(message=_l("課題の分類を1つ以上選んでください。"))]),
        "maturity": RadioField(template.maturity_label, choices=[SelectChoice(v, label) for v, label in template.levels],
                               coerce=int, validators=[InputRequired(message=_l("取組段階を選んでください。"))]),
    }
    fields = []
    for index, category in enumerate(tenant.categories or []):
        name = f"comment_{index}"
        attrs[name] = TextAreaField(category["label"], filters=[strip_filter], validators=[Optional()])
        fields.append((category["code"], name))
    attrs["comment_fields"] = tuple(fields)
    return type("NeedsAnswerForm", (NeedsAnswerFormBase,), attrs)
