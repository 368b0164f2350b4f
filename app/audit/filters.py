"""The filter of the 監査ログ page (GET, changes nothing, no CSRF token) and its translation into an
`AuditFilter`. The page and its Excel export read the same query string through the same form, so
the export holds exactly the rows the page lists; an invalid field is reported on the page and
ignored by both."""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict
from wtforms import DateField, SelectChoice, SelectField, StringField
from wtforms.validators import Length, Optional, Regexp, ValidationError

from app.audit.queries import AuditFilter
from app.core.forms import BaseForm, strip_filter

EARLIEST, LATEST = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
DATE_MESSAGE = _l("日付は「2024-05-16」の形で入力してください。")


def _in_range(form, field) -> None:
    if field.data is not None and not EARLIEST <= field.data <= LATEST:
        raise ValidationError(_l("2000年から2099年までの日付を入力してください。"))


class AuditFilterForm(BaseForm):
    """期間 (JST dates, inclusive), 操作, 実行者, 対象種別 and リクエストID. The select choices are
    the values present in the tenant's trail (set by the view); any submitted value is accepted
    and simply matches nothing when unknown."""

    class Meta:
        csrf = False

    date_from = DateField(_l("期間（開始日）"), validators=[Optional(), _in_range], format="%Y-%m-%d")
    date_to = DateField(_l("期間（終了日）"), validators=[Optional(), _in_range], format="%Y-%m-%d")
    # Select values are free text here (validate_choice=False; a NUL never arrives: app.core.web refuses
    # it); the actor id has at most 9 digits so that it fits an INTEGER column on PostgreSQL.
    action = SelectField(_l("操作"), choices=[SelectChoice("", _l("すべて"))], validators=[Optional()], validate_choice=False)
    actor = SelectField(_l("実行者"), choices=[SelectChoice("", _l("すべて"))], validate_choice=False,
                        validators=[Optional(), Regexp(r"^\d{1,9}$", message=_l("実行者の指定が正しくありません。"))])
    target_type = SelectField(_l("対象種別"), choices=[SelectChoice("", _l("すべて"))], validators=[Optional()],
                              validate_choice=False)
    request_id = StringField(_l("リクエストID"), filters=[strip_filter],
                             validators=[Optional(), Length(max=64, message=_l("リクエストIDは64文字以内で入力してください。"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("date_from", "date_to"):
            # WTForms' own parse error is English; ours is Japanese.
            self[name].process_errors = [DATE_MESSAGE for _e in self[name].process_errors]

    def validate_date_to(self, field) -> None:
        """The end date may not come before the start date."""
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError(_l("終了日は開始日以降の日付にしてください。"))


def _value(form: AuditFilterForm, name: str):
    field = form[name]
    return None if field.errors else field.data


def filter_from_form(form: AuditFilterForm) -> AuditFilter:
    """Validate `form` and return the filter of its valid fields (invalid ones count as empty)."""
    form.validate()
    actor = _value(form, "actor")
    return AuditFilter(
        date_from=_value(form, "date_from"), date_to=_value(form, "date_to"),
        action=str(_value(form, "action") or "")[:64], actor_id=int(actor) if actor else None,
        target_type=str(_value(form, "target_type") or "")[:40], request_id=_value(form, "request_id") or "",
    )


def filter_from_params(params: Mapping[str, str]) -> AuditFilter:
    """The filter of a stored query string (`{name: value}`, e.g. an export's params)."""
    return filter_from_form(AuditFilterForm(formdata=MultiDict(dict(params))))
