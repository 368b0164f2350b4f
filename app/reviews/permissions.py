"""Who may see and score which item (product.md §3, §5; issue 3 item 5). Views answer 404.

The provider conflict is a pure predicate on the loaded objects; visibility also depends on the
reviewer's own declarations and on the call's assignments, which `app.reviews.queries` looks up.
"""
from __future__ import annotations

from app.applications.models import Application
from app.applications.states import ApplicationState
from app.auth.models import Role
from app.calls.states import CallPhase
from app.menus.models import MenuProposal
from app.menus.states import ProposalState
from app.reviews.states import ReviewTarget

# Application states a reviewer may see (never drafts, returned or withdrawn ones).
REVIEWABLE_APPLICATION_STATES = {ApplicationState.SUBMITTED, ApplicationState.SELECTED, ApplicationState.NOT_SELECTED}


def target_of(item) -> ReviewTarget:
    """`ReviewTarget.PROPOSAL` for a `MenuProposal`, `APPLICATION` for an `Application`."""
    return ReviewTarget.PROPOSAL if isinstance(item, MenuProposal) else ReviewTarget.APPLICATION


def provider_ids_of(item) -> set[int]:
    """The provider organisations an item concerns: the proposing provider of a proposal; the
    providers of every menu item chosen by an application (it "would go to" any of them)."""
    if isinstance(item, MenuProposal):
        return {item.provider_id}
    return {choice.menu_item.provider_id for choice in item.choices}


def has_conflict(reviewer, item) -> bool:
    """Provider-side conflict of interest (product.md §5, issue 3 item 5): the reviewer belongs to
    the proposing provider, or to a provider of any menu item the application chose."""
    return reviewer.organisation_id is not None and reviewer.organisation_id in provider_ids_of(item)


def is_reviewer_in(user, tenant_id: int) -> bool:
    """A logged-in reviewer of `tenant_id`."""
    return bool(getattr(user, "is_authenticated", False)) and user.role == Role.REVIEWER and user.tenant_id == tenant_id


def can_review_proposal(user, proposal: MenuProposal) -> bool:
    """A reviewer of the same tenant, without a provider conflict or a declared conflict, assigned
    to the proposal when the call assigns reviewers; drafts stay private to their company."""
    from app.reviews.queries import is_excluded

    return (is_reviewer_in(user, proposal.tenant_id) and proposal.state != ProposalState.DRAFT
            and not has_conflict(user, proposal) and not is_excluded(user, proposal))


def can_review_application(user, application: Application) -> bool:
    """As `can_review_proposal`, for a submitted (or decided) application. Applications carry
    municipal data, so reviewers see them only while the call is in 選定・決定, or later if they
    scored them."""
    from app.reviews.queries import is_excluded, review_by

    if not (is_reviewer_in(user, application.tenant_id) and application.state in REVIEWABLE_APPLICATION_STATES):
        return False
    if has_conflict(user, application) or is_excluded(user, application):
        return False
    return application.call.phase == CallPhase.SELECTION or review_by(application, user) is not None
