"""Who may see and move cases (pure predicates; views answer 404 on no).

Anyone sees published cases; the operator and the case's municipality also see unpublished ones.
The operator drafts, sends for approval, publishes and unpublishes; only the municipality approves
or returns (a case is never published without municipal approval, digest §10.8).
"""
from __future__ import annotations

from app.auth.models import Role
from app.cases.states import CaseState


def _member(user, case, role: Role) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.tenant_id == case.tenant_id and user.role == role


def is_case_operator(user, case) -> bool:
    """An operator of the case's tenant."""
    return _member(user, case, Role.OPERATOR)


def is_case_municipality(user, case) -> bool:
    """Staff of the municipality the case is about."""
    return _member(user, case, Role.MUNICIPAL) and user.organisation_id == case.engagement.municipality_id


def can_view_case(user, case) -> bool:
    """Published cases: everyone; unpublished: the operator and the case's municipality."""
    return case.state == CaseState.PUBLISHED or is_case_operator(user, case) or is_case_municipality(user, case)


def can_transition_case(user, case, to_state: CaseState) -> bool:
    """Role rule of each edge (the edge itself is checked by `transition_case`):
    operator → AWAITING_APPROVAL, → PUBLISHED, APPROVED/PUBLISHED → DRAFT;
    the case's municipality → APPROVED, AWAITING_APPROVAL → DRAFT (return with a comment)."""
    if is_case_operator(user, case):
        return to_state in (CaseState.AWAITING_APPROVAL, CaseState.PUBLISHED) or (
            to_state == CaseState.DRAFT and case.state in (CaseState.APPROVED, CaseState.PUBLISHED))
    if is_case_municipality(user, case):
        return to_state == CaseState.APPROVED or (to_state == CaseState.DRAFT and case.state == CaseState.AWAITING_APPROVAL)
    return False
