"""Who may review which proposal (product.md §3, §5). Pure predicates; views answer 404."""
from __future__ import annotations

from app.auth.models import Role
from app.menus.models import MenuProposal
from app.menus.states import ProposalState


def has_conflict(reviewer, proposal: MenuProposal) -> bool:
    """Conflict of interest (product.md §5): the reviewer belongs to the proposing provider."""
    return reviewer.organisation_id is not None and reviewer.organisation_id == proposal.provider_id


def can_review_proposal(user, proposal: MenuProposal) -> bool:
    """A reviewer of the same tenant without a conflict of interest with the proposing provider;
    drafts stay private to their company."""
    return (
        bool(getattr(user, "is_authenticated", False))
        and user.role == Role.REVIEWER
        and user.tenant_id == proposal.tenant_id
        and proposal.state != ProposalState.DRAFT
        and not has_conflict(user, proposal)
    )
