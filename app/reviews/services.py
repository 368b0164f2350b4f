"""Review services: a reviewer scores a submitted menu proposal on the tenant's rubric
(tenant.toml `rules.review_rubric`). Services flush, never commit, never read `flask.request`."""
from __future__ import annotations

import sqlalchemy as sa

from app.calls.states import CallPhase
from app.core.audit import record_audit
from app.extensions import db
from app.menus.models import MenuProposal
from app.menus.queries import call_of
from app.menus.states import ProposalState
from app.reviews.models import Review
from app.reviews.permissions import has_conflict
from app.tenancy.models import Tenant


class ReviewError(ValueError):
    """A review cannot be recorded as asked (message is user-facing Japanese)."""


def rubric(tenant) -> list[dict]:
    """The scoring rubric `[{key, label, max}]` of `tenant` (points 1..max per criterion)."""
    criteria = tenant.rule("review_rubric", []) or []
    return [{"key": str(r["key"]), "label": str(r["label"]), "max": int(r["max"])} for r in criteria]


def _check_scores(criteria: list[dict], scores: dict) -> dict[str, int]:
    expected = {c["key"] for c in criteria}
    if set(scores) != expected:
        raise ReviewError("すべての評価項目を採点してください。")
    checked = {}
    for criterion in criteria:
        value = scores[criterion["key"]]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= criterion["max"]:
            raise ReviewError(f"「{criterion['label']}」は1から{criterion['max']}の範囲で採点してください。")
        checked[criterion["key"]] = value
    return checked


def score_proposal(proposal: MenuProposal, reviewer, *, scores: dict[str, int], comment: str) -> Review:
    """Record (or replace) `reviewer`'s scores `{criterion_key: points}` for `proposal`.

    One review per proposal and reviewer (upsert); `total` is the sum of the points. Raises
    `ReviewError` for a conflict of interest (the reviewer belongs to the provider, product.md §5),
    outside the call's MENU_REVIEW phase, for a proposal that is not SUBMITTED, or for scores
    missing or outside 1..max of the rubric.
    """
    if has_conflict(reviewer, proposal) or reviewer.tenant_id != proposal.tenant_id:
        raise ReviewError("利害関係のある提案は審査できません。")
    if call_of(proposal).phase != CallPhase.MENU_REVIEW:
        raise ReviewError("支援メニューの審査期間ではないため、採点できません。")
    if proposal.state != ProposalState.SUBMITTED:
        raise ReviewError("採否が決定した提案は採点できません。")
    checked = _check_scores(rubric(db.session.get(Tenant, proposal.tenant_id)), scores)
    review = db.session.scalar(sa.select(Review).where(
        Review.tenant_id == proposal.tenant_id, Review.proposal_id == proposal.id, Review.reviewer_id == reviewer.id))
    if review is None:
        review = Review(tenant_id=proposal.tenant_id, proposal_id=proposal.id, reviewer_id=reviewer.id)
        db.session.add(review)
    review.scores, review.total, review.comment = checked, sum(checked.values()), comment.strip()
    db.session.flush()
    record_audit("review.score", tenant_id=proposal.tenant_id, actor=reviewer, target=review,
                 changes={"proposal_id": proposal.id, "total": review.total})
    return review
