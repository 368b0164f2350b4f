"""Operator form of the selection: the per-row adjustment of one allocation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, SelectChoice, SelectField
from wtforms.validators import ValidationError

from app.core.forms import BaseForm


class AdjustForm(BaseForm):
    """Decision for one application: one of its choices or 非選定; pin; exclude.

    Build with `prefix=f"a{allocation.id}"` so that every row of the table has its own field ids.
    """

    decision = SelectField(_l("決定"), choices=[], validate_choice=False)
    is_pinned = BooleanField(_l("固定"))
    is_excluded = BooleanField(_l("除外"))

    def set_options(self, application) -> None:
        """Offer 非選定 and the application's choices ("第n希望 No.x タイトル")."""
        self.decision.choices = [SelectChoice("", _l("非選定"))] + [
            SelectChoice(str(c.menu_item_id), f"第{c.rank}希望 No.{c.menu_item.number} {c.menu_item.title}")
            for c in application.choices
        ]

    def validate_decision(self, field) -> None:
        allowed = {choice.value for choice in field.choices}
        if (field.data or "") not in allowed:
            raise ValidationError(_l("申込の希望にない支援メニューは選べません。"))

    def chosen_item_id(self) -> int | None:
        """The chosen item id, or None for 非選定."""
        return int(self.decision.data) if self.decision.data else None
