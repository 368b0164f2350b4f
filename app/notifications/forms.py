"""Forms of the notifications domain: the per-user channel preference and the outbox filter."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, SelectField
from wtforms.validators import InputRequired, Optional

from app.core.forms import BaseForm
from app.notifications.states import Channel, NotificationState


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
