"""Forms of the engagements domain, one per role and action (no mass assignment)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (DateField, DecimalField, FieldList, IntegerField, MultipleFileField, RadioField, SelectChoice,
                     TextAreaField, TimeField)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation, ValidationError

from app.core.clock import today_jst
from app.core.forms import BaseForm, MultiCheckboxField, strip_filter
from app.engagements.services import ATTENDEE_ROLES
from app.menus.states import DeliveryFormat

# Form field name per attendee role (field names must be ASCII identifiers).
ATTENDEE_FIELDS = dict(zip(("attendees_chief", "attendees_manager", "attendees_staff", "attendees_other"), ATTENDEE_ROLES))


def _finite(form, field):
    # Decimal("NaN") would make the range check raise instead of failing validation.
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(_l("数値で入力してください。"))


def _quarter_hours(form, field):
    if field.data is not None and (field.data * 4) % 1:
        raise ValidationError(_l("0.25時間（15分）単位で入力してください。"))


def _count_field(label: str) -> IntegerField:
    return IntegerField(label, default=0, render_kw={"inputmode": "numeric", "min": 0, "max": 999}, validators=[
        Optional(), NumberRange(min=0, max=999, message=_l("0〜999の整数で入力してください。"))])


class SessionForm(BaseForm):
    """A provider logs one support session (支援実施記録)."""

    held_on = DateField(_l("実施日"), validators=[InputRequired(message=_l("実施日を入力してください。"))])
    start_time = TimeField(_l("開始時刻"), validators=[Optional()])
    format = RadioField(_l("実施形態"), choices=DeliveryFormat.choices(),
                        validators=[InputRequired(message=_l("実施形態を選択してください。"))])
    hours = DecimalField(_l("実施時間（時間）"), places=2, render_kw={"inputmode": "decimal", "step": "0.25", "min": "0.25", "max": "24"},
                         validators=[InputRequired(message=_l("実施時間を入力してください。")), _finite,
                                     NumberRange(min=0.25, max=24, message=_l("0.25〜24時間の範囲で入力してください。")),
                                     _quarter_hours])
    attendees_chief = _count_field(_l("首長・副首長"))
    attendees_manager = _count_field(_l("管理職"))
    attendees_staff = _count_field(_l("担当職員"))
    attendees_other = _count_field(_l("その他"))
    categories = MultiCheckboxField(_l("支援テーマ（分類）"), choices=[], validators=[Optional()])
    content = TextAreaField(_l("支援内容"), filters=[strip_filter], validators=[
        DataRequired(message=_l("支援内容を入力してください。")), Length(max=5000)])
    proposals_count = IntegerField(_l("解決策の提案件数"), default=0, render_kw={"inputmode": "numeric", "min": 0}, validators=[
        Optional(), NumberRange(min=0, max=999, message=_l("0以上の整数で入力してください。"))])
    proposals_text = TextAreaField(_l("提案の内容"), filters=[strip_filter], validators=[Length(max=5000)])
    next_steps = TextAreaField(_l("次回までの取組・次のステップ"), filters=[strip_filter], validators=[Length(max=5000)])
    attachments = MultipleFileField(_l("添付ファイル（任意）"))

    def set_categories(self, tenant) -> None:
        """Offer the tenant's DX issue categories (tenants/<slug>/categories.csv) as checkboxes."""
        self.categories.choices = [SelectChoice(c["code"], c["label"]) for c in tenant.categories or []]

    def validate_held_on(self, field):
        if field.data and field.data > today_jst():
            raise ValidationError(_l("実施日に未来の日付は指定できません。"))

    def validate(self, extra_validators=None) -> bool:
        # Cross-field rule: the count fields are each optional, their total is not.
        valid = super().validate(extra_validators)
        if sum(max(n, 0) for n in self.attendees().values()) < 1:
            self.attendees_staff.errors.append(_l("参加者を1名以上入力してください。"))
            return False
        return valid

    def attendees(self) -> dict[str, int]:
        """Counts by role, `{"担当職員": 3, …}` (blank counts as 0)."""
        return {role: int(self[name].data or 0) for name, role in ATTENDEE_FIELDS.items()}

    def duration_minutes(self) -> int:
        """The hours entered, as whole minutes."""
        return int(round(self.hours.data * 60))


class KickoffForm(BaseForm):
    """The kickoff: the municipality's issues and goals, planned sessions and optional dates (003:1671)."""

    kickoff_issues = TextAreaField(_l("市町村の課題"), filters=[strip_filter], validators=[
        DataRequired(message=_l("市町村の課題を入力してください。")), Length(max=5000)])
    kickoff_goals = TextAreaField(_l("支援の目標"), filters=[strip_filter], validators=[
        DataRequired(message=_l("支援の目標を入力してください。")), Length(max=5000)])
    planned_sessions = IntegerField(_l("予定支援回数"), render_kw={"inputmode": "numeric", "min": 1, "max": 100}, validators=[
        InputRequired(message=_l("予定支援回数を入力してください。")),
        NumberRange(min=1, max=100, message=_l("1〜100回で入力してください。"))])
    planned_dates = FieldList(DateField(_l("予定日"), validators=[Optional()]), min_entries=5, max_entries=20)

    def dates(self) -> list:
        """The planned dates entered (blanks dropped)."""
        return [entry.data for entry in self.planned_dates if entry.data]



class ConfirmSessionForm(BaseForm):
    """Municipal staff confirm a session, with an optional comment."""

    comment = TextAreaField(_l("コメント（任意）"), filters=[strip_filter], validators=[Length(max=2000)])


class ReportForm(BaseForm):
    """The provider's completion report (実績報告)."""

    summary = TextAreaField(_l("支援の概要"), filters=[strip_filter], validators=[
        DataRequired(message=_l("支援の概要を入力してください。")), Length(max=10000)])
    outcomes = TextAreaField(_l("成果"), filters=[strip_filter], validators=[Length(max=10000)])


class DecideReportForm(BaseForm):
    """The operator accepts or returns (差戻し) a completion report."""

    decision = RadioField(_l("判断"), choices=[SelectChoice("accept", _l("受理する")), SelectChoice("return", _l("差し戻す"))],
                          validators=[InputRequired(message=_l("受理か差戻しかを選択してください。"))])
    reason = TextAreaField(_l("差戻しの理由"), filters=[strip_filter], validators=[Length(max=2000)])

    def validate_reason(self, field):
        if self.decision.data == "return" and not field.data:
            raise ValidationError(_l("差し戻す場合は理由を入力してください。"))


class CancelForm(BaseForm):
    """The operator cancels an engagement, with a reason."""

    reason = TextAreaField(_l("中止の理由"), filters=[strip_filter], validators=[
        DataRequired(message=_l("中止の理由を入力してください。")), Length(max=2000)])


class DeclineForm(BaseForm):
    """The assigned provider declines the engagement (辞退), with a reason."""

    reason = TextAreaField(_l("辞退の理由"), filters=[strip_filter], validators=[
        DataRequired(message=_l("辞退の理由を入力してください。")), Length(max=2000)])
