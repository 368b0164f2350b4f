"""Forms of the notifications domain: the per-user channel preference, the outbox filter and the
per-call notice settings (通知設定)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from app.core.forms import BaseForm
from app.notifications.states import Channel, NotificationState
from app.notifications.timings import LIMITS


class PreferenceForm(BaseForm):
    """How the user receives notifications (e-mail and in-app, or in-app only)."""

    channel = RadioField(_l("通知の受け取り方"), choices=Channel.choices(),
                         validators=[InputRequired(message=_l("受け取り方を選んでください。"))])


class OutboxFilterForm(BaseForm):
    """GET filter of the 送信メール page (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    state = SelectField(_l("状態"), choices=[SelectChoice("", _l("すべて")), *NotificationState.choices()], validators=[Optional()])
    kind = SelectField(_l("種類"), choices=[SelectChoice("", _l("すべて"))], validators=[Optional()], validate_choice=False)


def _days_field(lo: int, hi: int, label) -> IntegerField:
    return IntegerField(label, validators=[Optional(), NumberRange(lo, hi, message=_l("%(min)s以上%(max)s以下の整数にしてください。"))])


# One optional whole-number field per editable timing (blank: the tenant's value from tenant.toml).
NoticeSettingsForm = type("NoticeSettingsForm", (BaseForm,), {
    "__doc__": "The operator's per-call overrides of the reminder timings (days; blank = tenant value).",
    **{key: _days_field(lo, hi, label) for key, (lo, hi, label) in LIMITS.items()}})
