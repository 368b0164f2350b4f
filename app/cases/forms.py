"""Forms of the cases domain: the operator's case editor and the transition form."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, IntegerField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from app.cases.states import DX_STEPS, HOLDABLE_FIELDS, CaseState
from app.core.forms import BaseForm, MultiCheckboxField, strip_filter


def lines(text: str | None) -> list[str]:
    """Non-empty stripped lines of a textarea (one key point or bullet per line)."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class CaseForm(BaseForm):
    """The operator edits a draft case (003 page fields, digest §4.2)."""

    title = StringField(_l("タイトル"), filters=[strip_filter], validators=[
        DataRequired(message=_l("タイトルを入力してください。")), Length(max=300)])
    key_points = TextAreaField(_l("ポイント（1行に1つ、1〜3行）"), validators=[DataRequired(message=_l("ポイントを入力してください。"))])
    overview = TextAreaField(_l("概要（1行に1つの箇条書き）"), validators=[Length(max=20000)])
    outcomes = TextAreaField(_l("成果"), filters=[strip_filter], validators=[Length(max=10000)])
    dx_step = SelectField(_l("DXステップ"), choices=[SelectChoice("", _l("選択なし"))] + [SelectChoice(str(k), v) for k, v in DX_STEPS.items()])
    categories = MultiCheckboxField(_l("分類"), choices=[])
    population = IntegerField(_l("人口（人）"), validators=[
        Optional(), NumberRange(min=0, max=100_000_000, message=_l("0以上の整数で入力してください。"))])
    population_basis = StringField(_l("人口の基準（例：住民基本台帳（令和6年1月1日））"), filters=[strip_filter], validators=[Length(max=100)])
    related_url = StringField(_l("関連URL"), filters=[strip_filter], validators=[Length(max=500)])
    similar_organisations = TextAreaField(_l("類似の取組を行っている団体"), filters=[strip_filter], validators=[Length(max=5000)])
    version_id = HiddenField()  # the version being edited, to detect a concurrent save

    def validate_key_points(self, field):
        found = lines(field.data)
        if not 1 <= len(found) <= 3:
            raise ValidationError(_l("ポイントは1〜3行で入力してください。"))
        if any(len(line) > 200 for line in found):
            raise ValidationError(_l("ポイントは1行200文字以内で入力してください。"))

    def validate_related_url(self, field):
        if field.data:
            parts = urlsplit(field.data)
            if parts.scheme not in ("http", "https") or not parts.netloc or " " in field.data:
                raise ValidationError(_l("http:// または https:// で始まるURLを入力してください。"))

    def values(self) -> dict:
        """The fields as `update_case` takes them."""
        return {
            "title": self.title.data, "key_points": lines(self.key_points.data), "overview": lines(self.overview.data),
            "outcomes": self.outcomes.data or "", "dx_step": int(self.dx_step.data) if self.dx_step.data else None,
            "categories": list(self.categories.data or []), "population": self.population.data,
            "population_basis": self.population_basis.data or "", "related_url": self.related_url.data or "",
            "similar_organisations": self.similar_organisations.data or "",
            "version_id": int(self.version_id.data) if (self.version_id.data or "").isdigit() else None,
        }


class CaseTransitionForm(BaseForm):
    """Move a case (operator, municipality or provider, by role); `note` is the return comment,
    `held_back` the fields the approving party keeps out of publication."""

    to = SelectField(_l("操作"), choices=CaseState.choices(), validators=[InputRequired(message=_l("操作を選択してください。"))])
    note = TextAreaField(_l("コメント"), filters=[strip_filter], validators=[Length(max=2000)])
    held_back = MultiCheckboxField(_l("公開しない項目"), choices=[SelectChoice(k, v) for k, v in HOLDABLE_FIELDS.items()])
