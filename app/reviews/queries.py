"""Read-side queries on reviews (filtered by tenant by hand; the ORM safety net scopes them again)."""
from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.calls.models import Call
from app.calls.states import CallPhase
from app.extensions import db
from app.menus.models import MenuProposal
from app.menus.states import ProposalState
from app.reviews.models import Review


def _reviewable(tenant, reviewer):
    """Submitted proposals of calls in MENU_REVIEW, without the reviewer's conflicts (§5)."""
    stmt = (
        sa.select(MenuProposal)
        .join(Call, Call.id == MenuProposal.call_id)
        .where(MenuProposal.tenant_id == tenant.id, Call.phase == CallPhase.MENU_REVIEW,
               MenuProposal.state == ProposalState.SUBMITTED)
    )
    if reviewer.organisation_id is not None:
        stmt = stmt.where(MenuProposal.provider_id != reviewer.organisation_id)
    return stmt


def proposals_to_review(tenant, reviewer) -> list[tuple[MenuProposal, Review | None]]:
    """`[(proposal, this reviewer's review or None)]` to show on the reviewer's list, in
    submission order. Proposals of the reviewer's own organisation are left out (conflict, §5)."""
    stmt = (
        _reviewable(tenant, reviewer)
        .add_columns(Review)
        .outerjoin(Review, sa.and_(Review.proposal_id == MenuProposal.id, Review.reviewer_id == reviewer.id))
        .order_by(MenuProposal.submitted_at, MenuProposal.id)
    )
    return [(p, r) for p, r in db.session.execute(stmt)]


def unscored_count(tenant, reviewer) -> int:
    """How many reviewable proposals `reviewer` has not scored yet (reviewer task)."""
    scored = sa.select(Review.proposal_id).where(Review.tenant_id == tenant.id, Review.reviewer_id == reviewer.id)
    stmt = _reviewable(tenant, reviewer).where(MenuProposal.id.not_in(scored))
    return db.session.scalar(sa.select(sa.func.count()).select_from(stmt.subquery())) or 0


def review_by(proposal: MenuProposal, reviewer) -> Review | None:
    """`reviewer`'s review of `proposal`, or None."""
    return db.session.scalar(sa.select(Review).where(
        Review.tenant_id == proposal.tenant_id, Review.proposal_id == proposal.id, Review.reviewer_id == reviewer.id))


def reviews_of(proposal: MenuProposal) -> list[tuple[Review, str]]:
    """`[(review, reviewer display name)]` of a proposal, oldest first (for the operator)."""
    stmt = (
        sa.select(Review, User.display_name)
        .join(User, User.id == Review.reviewer_id)
        .where(Review.tenant_id == proposal.tenant_id, Review.proposal_id == proposal.id, User.tenant_id == proposal.tenant_id)
        .order_by(Review.created_at, Review.id)
    )
    return [(r, name) for r, name in db.session.execute(stmt)]
