"""Workflow enums with Japanese labels, and the transition helper every workflow uses.

Each workflow module declares a `LabeledEnum` of states (`DRAFT = "draft", _l("下書き")`), and a
`TRANSITIONS` mapping `{from_state: {to_state, ...}}`. `check_transition` is the single place that
says whether an edge is allowed; `transition_<noun>()` services call it, then `record_transition`.
"""
from __future__ import annotations

import enum
from collections.abc import Mapping

from wtforms import SelectChoice


class LabeledEnum(enum.StrEnum):
    """A string enum whose members carry a translatable display label (`.label`)."""

    def __new__(cls, value: str, label: str = ""):
        obj = str.__new__(cls, value)
        obj._value_ = value
        # Not `label or value`: that would render a lazy label at import time (tenant-dependent ones too).
        obj._label = value if isinstance(label, str) and not label else label
        return obj

    @property
    def label(self) -> str:
        """The display label in the current locale (labels are `lazy_gettext` strings)."""
        return str(self._label)

    @property
    def lazy_label(self):
        """The label as a lazy string, for definitions evaluated at import time (form labels)."""
        return self._label

    @classmethod
    def choices(cls) -> list[SelectChoice]:
        """Options for form select and radio fields, with labels translated when rendered."""
        return [SelectChoice(m.value, m.lazy_label) for m in cls]


class TransitionError(Exception):
    """An edge that the workflow's TRANSITIONS table does not allow (shown as a 409/400 to users)."""

    def __init__(self, workflow: str, from_state: str, to_state: str):
        self.workflow, self.from_state, self.to_state = workflow, from_state, to_state
        super().__init__(f"{workflow}: {from_state} -> {to_state} is not allowed")


def check_transition(workflow: str, transitions: Mapping, from_state, to_state) -> None:
    """Raise `TransitionError` unless `to_state` is reachable from `from_state` in `transitions`."""
    if to_state not in transitions.get(from_state, ()):
        raise TransitionError(workflow, str(from_state), str(to_state))
