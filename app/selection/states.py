"""Selection workflow: a draft allocation is proposed, adjusted, then confirmed once."""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum


class SelectionState(LabeledEnum):
    DRAFT = "draft", _l("選定案")
    CONFIRMED = "confirmed", _l("確定")


TRANSITIONS = {SelectionState.DRAFT: {SelectionState.CONFIRMED}, SelectionState.CONFIRMED: set()}
