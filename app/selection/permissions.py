"""Who may see and change the selection (選定・決定): only the program office (operator), and only
while the call is in its selection phase and the selection is not yet confirmed."""
from __future__ import annotations

from app.auth.models import Role
from app.calls.states import ORDER, CallPhase
from app.selection.states import SelectionState


def can_manage_selection(user) -> bool:
    """Operators run, adjust and confirm the selection (product.md §3)."""
    return getattr(user, "is_authenticated", False) and user.role == Role.OPERATOR


def is_selection_available(call) -> bool:
    """The selection page exists once the call reached 選定・決定 (read-only afterwards)."""
    return ORDER.index(call.phase) >= ORDER.index(CallPhase.SELECTION)


def can_change_selection(call, selection) -> bool:
    """Proposals and adjustments: call in 選定・決定 and the selection not confirmed."""
    return call.phase == CallPhase.SELECTION and (selection is None or selection.state == SelectionState.DRAFT)
