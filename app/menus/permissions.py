"""Who may see and change menu proposals (product.md §3). Pure predicates: views answer 404 when
one is false, so that users cannot probe proposals of other companies."""
from __future__ import annotations

from app.auth.models import Role
from app.menus.models import MenuProposal
from app.tenancy.models import OrganisationKind


def is_provider_user(user) -> bool:
    """A logged-in provider-company staff member whose organisation is a provider."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.role == Role.PROVIDER
        and user.organisation is not None
        and user.organisation.kind == OrganisationKind.PROVIDER
    )


def owns_proposal(user, proposal: MenuProposal) -> bool:
    """The proposal belongs to the user's own company (staff of one company share proposals)."""
    return is_provider_user(user) and user.organisation_id == proposal.provider_id and user.tenant_id == proposal.tenant_id


def can_view_proposal(user, proposal: MenuProposal) -> bool:
    """The proposing company's staff, and the program office (operators) of the same tenant."""
    if owns_proposal(user, proposal):
        return True
    return bool(getattr(user, "is_authenticated", False)) and user.role == Role.OPERATOR and user.tenant_id == proposal.tenant_id
