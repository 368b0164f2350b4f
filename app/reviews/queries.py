"""Read-side queries on reviews (filtered by tenant by hand; the ORM safety net scopes them again).

Items are menu proposals (`ReviewTarget.PROPOSAL`) or applications (`ReviewTarget.APPLICATION`).
Open mode: while a call has no assignment for a kind, every reviewer without a conflict may score
its items; once one exists, reviewers see and score only the items assigned to them.
"""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.applications.models import Application, ApplicationChoice
from app.applications.states import ApplicationState
from app.auth.models import Role, User
from app.calls.models import Call
from app.extensions import db
from app.menus.models import MenuItem, MenuProposal
from app.menus.states import ProposalState
from app.reviews.models import ConflictDeclaration, Review, ReviewAssignment
from app.reviews.permissions import target_of
from app.reviews.states import SCORING_PHASE, ReviewTarget

ITEM_COLUMN = {ReviewTarget.PROPOSAL: "proposal_id", ReviewTarget.APPLICATION: "application_id"}
# Score of an application nobody reviewed, for the optimiser: the middle of 0..100, so that a
# missing review neither rewards nor punishes the municipality (selection.services._candidates).
NEUTRAL_SCORE = 50


def _for_item(model, item, reviewer=None):
    target = target_of(item)
    stmt = sa.select(model).where(model.tenant_id == item.tenant_id, model.target == target,
                                  getattr(model, ITEM_COLUMN[target]) == item.id)
    return stmt.where(model.reviewer_id == reviewer.id) if reviewer is not None else stmt


def review_by(item, reviewer) -> Review | None:
    """`reviewer`'s review of `item` (a proposal or an application), or None."""
    return db.session.scalar(_for_item(Review, item, reviewer))


def declaration_of(reviewer, item) -> ConflictDeclaration | None:
    """`reviewer`'s conflict declaration on `item`, or None (not declared yet)."""
    return db.session.scalar(_for_item(ConflictDeclaration, item, reviewer))


def declared_conflict(reviewer, item) -> bool:
    """True when `reviewer` declared 利害関係あり on `item`."""
    declaration = declaration_of(reviewer, item)
    return declaration is not None and declaration.has_conflict


def assignment_of(reviewer, item) -> ReviewAssignment | None:
    """`reviewer`'s assignment to `item`, or None."""
    return db.session.scalar(_for_item(ReviewAssignment, item, reviewer))


def has_assignments(tenant_id: int, call_id: int, target: ReviewTarget) -> bool:
    """True once the call assigns reviewers for `target` (no longer open mode)."""
    return db.session.scalar(sa.select(sa.func.count(ReviewAssignment.id)).where(
        ReviewAssignment.tenant_id == tenant_id, ReviewAssignment.call_id == call_id, ReviewAssignment.target == target,
    )) > 0


def is_assigned_or_open(reviewer, item) -> bool:
    """`reviewer` is assigned to `item`, or the call assigns nobody for this kind (open mode)."""
    if assignment_of(reviewer, item) is not None:
        return True
    return not has_assignments(item.tenant_id, item.call_id, target_of(item))


def is_excluded(reviewer, item) -> bool:
    """The reviewer declared a conflict on `item`, or is not assigned while the call assigns
    reviewers (their own earlier review keeps the item visible to them)."""
    if declared_conflict(reviewer, item):
        return True
    return not is_assigned_or_open(reviewer, item) and review_by(item, reviewer) is None


def rubric_is_locked(call: Call, target: ReviewTarget) -> bool:
    """True once a score is recorded for `call` and `target`: the rubric is then frozen."""
    return db.session.scalar(sa.select(sa.func.count(Review.id)).where(
        Review.tenant_id == call.tenant_id, Review.call_id == call.id, Review.target == target)) > 0


def reviews_of(item) -> list[tuple[Review, str]]:
    """`[(review, reviewer display name)]` of a proposal or application, oldest first."""
    stmt = (_for_item(Review, item).add_columns(User.display_name).join(User, User.id == Review.reviewer_id)
            .where(User.tenant_id == item.tenant_id).order_by(Review.created_at, Review.id))
    return [(r, name) for r, name in db.session.execute(stmt)]


def conflicted_application_ids(tenant_id: int, organisation_id: int | None):
    """Subquery of application ids with a choice whose menu item's provider is `organisation_id`."""
    return (sa.select(ApplicationChoice.application_id).join(MenuItem, MenuItem.id == ApplicationChoice.menu_item_id)
            .where(ApplicationChoice.tenant_id == tenant_id, MenuItem.provider_id == organisation_id))


def reviewable_items(tenant_id: int, target: ReviewTarget, *, call_id: int | None = None, reviewer=None) -> list:
    """Items under review: SUBMITTED proposals of calls in MENU_REVIEW, or SUBMITTED applications
    of calls in SELECTION (`call_id` given: that call's, whatever its phase), oldest first;
    without `reviewer`'s provider conflicts when given."""
    model = MenuProposal if target == ReviewTarget.PROPOSAL else Application
    state = ProposalState.SUBMITTED if target == ReviewTarget.PROPOSAL else ApplicationState.SUBMITTED
    stmt = sa.select(model).where(model.tenant_id == tenant_id, model.state == state)
    if call_id is not None:
        stmt = stmt.where(model.call_id == call_id)
    else:
        stmt = stmt.join(Call, Call.id == model.call_id).where(Call.phase == SCORING_PHASE[target])
    if reviewer is not None and reviewer.organisation_id is not None:
        if target == ReviewTarget.PROPOSAL:
            stmt = stmt.where(MenuProposal.provider_id != reviewer.organisation_id)
        else:
            stmt = stmt.where(Application.id.not_in(conflicted_application_ids(tenant_id, reviewer.organisation_id)))
    return list(db.session.scalars(stmt.order_by(model.submitted_at, model.id)).unique())


@dataclass
class ReviewRow:
    """One line of a reviewer's list: the item, its declaration and review by this reviewer."""

    target: ReviewTarget
    item: object
    declaration: ConflictDeclaration | None
    review: Review | None

    @property
    def is_declared(self) -> bool:
        return self.declaration is not None


def _mine(model, tenant_id: int, reviewer) -> dict[tuple[str, int], object]:
    rows = db.session.scalars(sa.select(model).where(model.tenant_id == tenant_id, model.reviewer_id == reviewer.id))
    return {(str(r.target), r.item_id): r for r in rows}


def _assigned_calls(tenant_id: int) -> set[tuple[int, str]]:
    stmt = sa.select(ReviewAssignment.call_id, ReviewAssignment.target).where(ReviewAssignment.tenant_id == tenant_id).distinct()
    return {(call_id, str(target)) for call_id, target in db.session.execute(stmt)}


def items_to_review(tenant, reviewer) -> list[ReviewRow]:
    """The reviewer's list: items under review without conflicts (provider or declared), limited to
    their assignments where the call assigns reviewers; proposals first, then applications."""
    declarations, reviews = _mine(ConflictDeclaration, tenant.id, reviewer), _mine(Review, tenant.id, reviewer)
    assigned, assigning = _mine(ReviewAssignment, tenant.id, reviewer), _assigned_calls(tenant.id)
    rows = []
    for target in ReviewTarget:
        for item in reviewable_items(tenant.id, target, reviewer=reviewer):
            key = (str(target), item.id)
            declaration = declarations.get(key)
            if declaration is not None and declaration.has_conflict:
                continue
            if (item.call_id, str(target)) in assigning and key not in assigned and key not in reviews:
                continue
            rows.append(ReviewRow(target, item, declaration, reviews.get(key)))
    return rows


def unscored_count(tenant, reviewer) -> int:
    """How many items on the reviewer's list they have not scored yet (reviewer task)."""
    return sum(1 for row in items_to_review(tenant, reviewer) if row.review is None)


@dataclass
class ItemResult:
    """Scores of one item: reviews with names, and the spread of their weighted scores (0..100)."""

    item: object
    reviews: list[tuple[Review, str]] = field(default_factory=list)

    @property
    def scores(self) -> list[float]:
        return [r.weighted_score for r, _name in self.reviews]

    @property
    def count(self) -> int:
        return len(self.reviews)

    @property
    def average(self) -> float | None:
        return round(statistics.fmean(self.scores), 1) if self.scores else None

    @property
    def minimum(self) -> float | None:
        return min(self.scores) if self.scores else None

    @property
    def maximum(self) -> float | None:
        return max(self.scores) if self.scores else None

    @property
    def stdev(self) -> float | None:
        """Population standard deviation (0 for a single review)."""
        return round(statistics.pstdev(self.scores), 1) if self.scores else None


def call_items(call: Call, target: ReviewTarget) -> list:
    """Every item of `call` a review can concern: non-draft proposals, or applications that were
    submitted (submitted, selected, not selected), oldest first."""
    if target == ReviewTarget.PROPOSAL:
        stmt = sa.select(MenuProposal).where(MenuProposal.state != ProposalState.DRAFT)
        model = MenuProposal
    else:
        states = [ApplicationState.SUBMITTED, ApplicationState.SELECTED, ApplicationState.NOT_SELECTED]
        stmt, model = sa.select(Application).where(Application.state.in_(states)), Application
    stmt = stmt.where(model.tenant_id == call.tenant_id, model.call_id == call.id).order_by(model.submitted_at, model.id)
    return list(db.session.scalars(stmt).unique())


def item_results(call: Call, target: ReviewTarget) -> list[ItemResult]:
    """`ItemResult` per item of `call_items(call, target)` (items without reviews included)."""
    results = {item.id: ItemResult(item) for item in call_items(call, target)}
    stmt = (sa.select(Review, User.display_name).join(User, User.id == Review.reviewer_id)
            .where(Review.tenant_id == call.tenant_id, Review.call_id == call.id, Review.target == target,
                   User.tenant_id == call.tenant_id).order_by(Review.created_at, Review.id))
    for review, name in db.session.execute(stmt):
        if review.item_id in results:
            results[review.item_id].reviews.append((review, name))
    return list(results.values())


def review_averages(tenant, call: Call) -> dict[int, int]:
    """`{application_id: score}` for the reviewed applications of `call` only: the mean weighted
    review score (0..100, rounded half up to an int) of the application's reviews."""
    stmt = (sa.select(Review.application_id, sa.func.avg(Review.weighted_score))
            .where(Review.tenant_id == tenant.id, Review.call_id == call.id, Review.target == ReviewTarget.APPLICATION)
            .group_by(Review.application_id))
    return {app_id: _half_up(float(avg)) for app_id, avg in db.session.execute(stmt)}


def _half_up(value: float) -> int:
    return max(0, min(100, int(value + 0.5)))


def reviewers_of(tenant_id: int) -> list[User]:
    """Active reviewer accounts of the tenant, by id (the order of automatic assignment ties)."""
    return list(db.session.scalars(sa.select(User).where(
        User.tenant_id == tenant_id, User.role == Role.REVIEWER, User.is_active_account.is_(True)).order_by(User.id)))


def assignments_of(call: Call, target: ReviewTarget) -> list[ReviewAssignment]:
    """Every assignment of `call` for `target`, by item then reviewer."""
    return list(db.session.scalars(sa.select(ReviewAssignment).where(
        ReviewAssignment.tenant_id == call.tenant_id, ReviewAssignment.call_id == call.id, ReviewAssignment.target == target,
    ).order_by(ReviewAssignment.id)))


def declarations_of(call: Call, target: ReviewTarget, *, conflicts_only: bool = False) -> list[ConflictDeclaration]:
    """Conflict declarations of `call` for `target` (only 利害関係あり when `conflicts_only`)."""
    stmt = sa.select(ConflictDeclaration).where(
        ConflictDeclaration.tenant_id == call.tenant_id, ConflictDeclaration.call_id == call.id,
        ConflictDeclaration.target == target)
    if conflicts_only:
        stmt = stmt.where(ConflictDeclaration.has_conflict.is_(True))
    return list(db.session.scalars(stmt.order_by(ConflictDeclaration.declared_at, ConflictDeclaration.id)))


@dataclass
class WorkloadRow:
    """A reviewer's load in one call and kind (operator's workload view)."""

    reviewer: User
    assigned: int
    scored: int
    conflicts: int

    @property
    def remaining(self) -> int:
        return max(self.assigned - self.scored, 0)


def workload(call: Call, target: ReviewTarget) -> list[WorkloadRow]:
    """Per active reviewer: items assigned (in open mode: every item they may score), reviews
    recorded, conflicts declared; `remaining` = assigned − scored (scores of assigned items)."""
    assignments, reviews = assignments_of(call, target), _reviews_of_call(call, target)
    conflicts = declarations_of(call, target, conflicts_only=True)
    rows = []
    for reviewer in reviewers_of(call.tenant_id):
        scored_ids = {r.item_id for r in reviews if r.reviewer_id == reviewer.id}
        if assignments:
            assigned_ids = {a.item_id for a in assignments if a.reviewer_id == reviewer.id}
        else:
            declared = {d.item_id for d in conflicts if d.reviewer_id == reviewer.id}
            assigned_ids = {i.id for i in reviewable_items(call.tenant_id, target, call_id=call.id, reviewer=reviewer)} - declared
        rows.append(WorkloadRow(reviewer, len(assigned_ids), len(scored_ids & assigned_ids) if assignments else len(scored_ids),
                                sum(1 for d in conflicts if d.reviewer_id == reviewer.id)))
    return rows


def _reviews_of_call(call: Call, target: ReviewTarget) -> list[Review]:
    return list(db.session.scalars(sa.select(Review).where(
        Review.tenant_id == call.tenant_id, Review.call_id == call.id, Review.target == target)))
