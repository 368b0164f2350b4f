"""Forms of 組織管理. Each kind has its own form listing only what an operator may set (no mass
assignment: kind, tenant and state come from the URL and the server). Shapes are checked here;
the tenant's rules (check digit, uniqueness, region / category lists, one adviser) in
`app.organisations.services.check_values`, whose messages the view puts on the fields."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, FieldList, Form, FormField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import BaseForm, MultiCheckboxField, strip_filter, strip_nul
from app.menus.states import DeliveryFormat
from app.organisations.services import MAX_THEMES, MUNICIPALITY_KINDS

STATUS_CHOICES = [SelectChoice("", _l("すべて")), SelectChoice("active", _l("有効")), SelectChoice("inactive", _l("無効"))]
TEXT = [strip_nul, strip_filter]
BLANK_THEMES = 2  # empty theme rows offered below the registered ones (no script adds rows)


class OrganisationFilterForm(BaseForm):
    """GET filter of a list (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    q = StringField(_l("名称・よみがな・コードで検索"), filters=TEXT, validators=[Optional(), Length(max=100)])
    status = SelectField(_l("状態"), choices=STATUS_CHOICES, validators=[Optional()])


def _name_field(label):
    return StringField(label, filters=TEXT, validators=[DataRequired(message=_l("名称を入力してください。")), Length(max=200)])


def _kana_field():
    return StringField(_l("よみがな"), filters=TEXT, validators=[Optional(), Length(max=200)])


def _place_field(label, order: list[str]):
    """Region / area: a choice among the tenant's `rules.region_order` / `area_order`, or free
    text when the tenant lists none (the service checks the value against the list either way)."""
    if order:
        return SelectField(label, choices=[SelectChoice("", _l("（なし）")), *(SelectChoice(o, o) for o in order)],
                           validate_choice=False, validators=[Optional()])
    return StringField(label, filters=TEXT, validators=[Optional(), Length(max=20)])


class MunicipalityForm(BaseForm):
    """A municipality (市町村) with its 全国地方公共団体コード."""

    lg_code = StringField(_l("市町村コード"), filters=TEXT, validators=[
        DataRequired(message=_l("市町村コードを入力してください。")), Length(max=6, message=_l("6桁で入力してください。"))])
    name = _name_field(_l("市町村名"))
    kana = _kana_field()
    municipality_kind = SelectField(_l("市町村区分"), choices=[SelectChoice("", _l("選んでください")),
                                                          *(SelectChoice(k, k) for k in MUNICIPALITY_KINDS)],
                                    validate_choice=False)
    district = StringField(_l("郡"), filters=TEXT, validators=[Optional(), Length(max=40)])


class BodyForm(BaseForm):
    """Another applicant body (教育委員会・商工会; no 全国地方公共団体コード)."""

    name = _name_field(_l("名称"))
    kana = _kana_field()


class ThemeForm(Form):
    """One registered theme of an expert / the adviser (登録リストにあるテーマ, 003:1647). A plain
    sub-form (no CSRF of its own); every rule is checked by the service, so a bad value is a
    message on 「登録テーマ」, never an error inside the list."""

    title = StringField(_l("テーマ名"), filters=TEXT)
    categories = MultiCheckboxField(_l("分類"), validate_choice=False)
    format = SelectField(_l("実施形式"), choices=[SelectChoice("", _l("選んでください")), *DeliveryFormat.choices()],
                         validate_choice=False)

    def is_blank(self) -> bool:
        return not (self.title.data or self.categories.data or self.format.data)


class ProviderForm(BaseForm):
    """A provider: a member company (name only) or a registered expert / the adviser with themes."""

    name = _name_field(_l("名称（氏名）"))
    kana = _kana_field()
    themes = FieldList(FormField(ThemeForm), label=_l("登録テーマ"), max_entries=MAX_THEMES + BLANK_THEMES)


def form_class(tenant, kind_value: str) -> type[BaseForm]:
    """The form of `kind_value` ("municipality", "provider" or an other body kind) for `tenant`,
    with region / area fields built from its rules (providers have neither)."""
    if kind_value == "provider":
        return ProviderForm
    base = MunicipalityForm if kind_value == "municipality" else BodyForm
    fields = {
        "region": _place_field(_l("地域"), tenant.rule("region_order", []) or []),
        "area": _place_field(_l("地方"), tenant.rule("area_order", []) or []),
    }
    if kind_value == "municipality" and tenant.focus_group_label:
        # Membership of the tenant's own municipality group (福島県: 避難地域12市町村); no field elsewhere.
        fields["is_evacuation_area"] = BooleanField(_l("%(group)sに該当する", group=tenant.focus_group_label))
    return type(base.__name__, (base,), fields)


def theme_values(form: ProviderForm) -> list[dict]:
    """The non-blank theme rows of `form` as `[{"title", "categories", "format"}]`."""
    return [{"title": e.form.title.data or "", "categories": list(e.form.categories.data or []),
             "format": e.form.format.data or ""} for e in form.themes if not e.form.is_blank()]
