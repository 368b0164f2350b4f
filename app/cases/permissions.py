"""Who may see and move cases (pure predicates; views answer 404 on no).

Anyone sees published cases; the operator and the two parties of the case (its municipality and
its provider) also see unpublished ones. The operator drafts, sends for approval, publishes,
withdraws and unpublishes; each party approves only on its own approval edge, or returns the case
with a comment while approval is pending (a case is never published without both approvals).
"""
from __future__ import annotations

from app.auth.models import Role
from app.cases.states import APPROVAL_EDGES, AWAITING_STATES, MUNICIPALITY, PROVIDER, CaseState


def _member(user, case, role: Role) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.tenant_id == case.tenant_id and user.role == role


def is_case_operator(user, case) -> bool:
    """An operator of the case's tenant."""
    return _member(user, case, Role.OPERATOR)


def is_case_municipality(user, case) -> bool:
    """Staff of the municipality the case is about."""
    return _member(user, case, Role.MUNICIPAL) and user.organisation_id == case.engagement.municipality_id


def is_case_provider(user, case) -> bool:
    """Staff of the provider that delivered the case's engagement."""
    return _member(user, case, Role.PROVIDER) and user.organisation_id == case.engagement.provider_id


def party_of(user, case) -> str | None:
    """"municipality" or "provider" when `user` is staff of that party of `case`, else None."""
    if is_case_municipality(user, case):
        return MUNICIPALITY
    return PROVIDER if is_case_provider(user, case) else None


def can_view_case(user, case) -> bool:
    """Published cases: everyone; unpublished: the operator and the case's two parties."""
    return case.state == CaseState.PUBLISHED or is_case_operator(user, case) or party_of(user, case) is not None


def can_transition_case(user, case, to_state: CaseState) -> bool:
    """Role rule of each edge (the edge itself is checked by `transition_case`): the operator →
    AWAITING_APPROVAL, → PUBLISHED and back → DRAFT; a party → its own approval edge
    (`APPROVAL_EDGES`) or → DRAFT (return) from an awaiting state."""
    if is_case_operator(user, case):
        return to_state in (CaseState.AWAITING_APPROVAL, CaseState.PUBLISHED, CaseState.DRAFT)
    party = party_of(user, case)
    if party is None:
        return False
    if to_state == CaseState.DRAFT:
        return case.state in AWAITING_STATES
    return APPROVAL_EDGES.get((case.state, to_state)) == party
