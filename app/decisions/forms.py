"""Forms of the decisions domain: promote a waitlisted application (operator)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField
from wtforms.validators import InputRequired, Regexp

from app.core.forms import BaseForm

_ID = [InputRequired(message=_l("繰上げる申込を選んでください。")), Regexp(r"^\d{1,12}$", message=_l("不正な値です。"))]


class PromoteForm(BaseForm):
    """The waitlisted application and the freed item it is promoted to (both ids, checked by the service)."""

    application_id = HiddenField(validators=_ID)
    menu_item_id = HiddenField(validators=_ID)
