"""Who may see and change applications (product.md §3).

Municipal staff see and edit only their own municipality's applications; the program office
(operator) sees every application of the tenant and may return it. Views answer 404 when a
predicate says no, so that users cannot probe which applications exist.
"""
from __future__ import annotations

from app.applications.states import EDITABLE, ApplicationState
from app.auth.models import Role
from app.calls.states import CallPhase
from app.tenancy.models import APPLICANT_KINDS, OrganisationKind


def municipality_of(user):
    """The municipality `user` works for (an `Organisation`), or None for other users."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.MUNICIPAL:
        return None
    org = user.organisation
    return org if org is not None and org.kind == OrganisationKind.MUNICIPALITY else None


def can_manage_applications(user) -> bool:
    """The program office lists, opens and returns every application (product.md §3)."""
    return getattr(user, "is_authenticated", False) and user.role == Role.OPERATOR


def can_view_application(user, application) -> bool:
    """Operators, or staff of the application's own municipality."""
    if can_manage_applications(user):
        return True
    org = municipality_of(user)
    return org is not None and org.id == application.municipality_id and org.tenant_id == application.tenant_id


def is_own_application(user, application) -> bool:
    """Staff of the application's municipality (the only ones who edit, submit or withdraw it)."""
    org = municipality_of(user)
    return org is not None and org.id == application.municipality_id


def can_edit_application(user, application, call) -> bool:
    """Own municipality, a draft or returned application, while the call takes applications."""
    return is_own_application(user, application) and application.state in EDITABLE and call.phase == CallPhase.APPLICATIONS


def can_withdraw_application(user, application, call) -> bool:
    """Own municipality, not yet decided or withdrawn, while the call takes applications."""
    open_states = {ApplicationState.DRAFT, ApplicationState.SUBMITTED, ApplicationState.RETURNED}
    return is_own_application(user, application) and application.state in open_states and call.phase == CallPhase.APPLICATIONS


def can_return_application(user, application, call) -> bool:
    """Operators return a submitted application for revision (差戻し) while applications are open."""
    return (can_manage_applications(user) and application.state == ApplicationState.SUBMITTED
            and call.phase == CallPhase.APPLICATIONS)


# --- 派遣依頼 (continuous / on-demand programs) ------------------------------------------------

def applicant_body_of(user):
    """The applicant body (市町村・教育委員会・商工会) `user` works for, or None for other users."""
    if not getattr(user, "is_authenticated", False) or user.role != Role.MUNICIPAL:
        return None
    org = user.organisation
    return org if org is not None and org.kind in APPLICANT_KINDS else None


def is_own_request(user, application) -> bool:
    """Staff of the body that filed the request."""
    org = applicant_body_of(user)
    return org is not None and org.id == application.municipality_id and org.tenant_id == application.tenant_id


def can_view_request(user, application) -> bool:
    """Operators of the tenant, or staff of the requesting body."""
    return can_manage_applications(user) or is_own_request(user, application)


def can_decide_request(user, application) -> bool:
    """Operators approve (承認) or decline (不承認) a pending request while its call takes requests."""
    return (can_manage_applications(user) and application.state == ApplicationState.SUBMITTED
            and application.call.takes_requests)


def can_withdraw_request(user, application) -> bool:
    """The requesting body withdraws a pending request while its call takes requests."""
    return (is_own_request(user, application) and application.state == ApplicationState.SUBMITTED
            and application.call.takes_requests)
