"""Reviewer assignment (issue 3 item 4): automatic balanced assignment with a per-reviewer cap,
and manual edits. Services flush, never commit; every assignment change is audited."""
from __future__ import annotations

from dataclasses import dataclass, field

from app.calls.models import Call
from app.core.audit import record_audit
from app.extensions import db
from app.reviews import queries
from app.reviews.models import ReviewAssignment
from app.reviews.permissions import has_conflict
from app.reviews.services import ReviewError
from app.reviews.states import ReviewTarget


@dataclass
class AssignmentResult:
    """What `assign_reviewers` did: `added` assignments and `short` `{item_id: missing reviewers}`."""

    added: list[ReviewAssignment] = field(default_factory=list)
    short: dict[int, int] = field(default_factory=dict)


def _new(call: Call, target: ReviewTarget, item, reviewer, *, actor, automatic: bool) -> ReviewAssignment:
    assignment = ReviewAssignment(tenant_id=call.tenant_id, call_id=call.id, target=target, reviewer_id=reviewer.id,
                                  is_automatic=automatic, assigned_by_id=getattr(actor, "id", None),
                                  **{queries.ITEM_COLUMN[target]: item.id})
    db.session.add(assignment)
    db.session.flush()
    record_audit("review.assignment.add", tenant_id=call.tenant_id, actor=actor, target=assignment,
                 changes={"target": str(target), "item_id": item.id, "reviewer_id": reviewer.id, "automatic": automatic})
    return assignment


def _eligible(reviewer, item, declared: set[tuple[int, int]]) -> bool:
    return not has_conflict(reviewer, item) and (reviewer.id, item.id) not in declared


def assign_reviewers(call: Call, kind: ReviewTarget, *, per_item: int, cap_per_reviewer: int, actor) -> AssignmentResult:
    """Top up the assignments of `call`'s items of `kind` (SUBMITTED proposals or applications) so
    that each has `per_item` reviewers, no reviewer holding more than `cap_per_reviewer` items of
    this call and kind. Existing assignments are kept and count.

    Deterministic and balanced: items with the fewest eligible reviewers go first (then by id);
    each takes the least-loaded eligible reviewers (ties by user id). Reviewers with a provider
    conflict (product.md §5) or a declared 利害関係あり are skipped. Items that cannot be filled
    are reported in `short`. Raises `ReviewError` for `per_item` < 1 or `cap_per_reviewer` < 1.
    """
    if per_item < 1 or cap_per_reviewer < 1:
        raise ReviewError("1項目あたりの審査員数と1人あたりの上限は1以上にしてください。")
    reviewers = queries.reviewers_of(call.tenant_id)
    items = queries.reviewable_items(call.tenant_id, kind, call_id=call.id)
    existing = queries.assignments_of(call, kind)
    declared = {(d.reviewer_id, d.item_id) for d in queries.declarations_of(call, kind, conflicts_only=True)}
    load = {r.id: sum(1 for a in existing if a.reviewer_id == r.id) for r in reviewers}
    holders = {item.id: {a.reviewer_id for a in existing if a.item_id == item.id} for item in items}
    eligible = {item.id: [r for r in reviewers if _eligible(r, item, declared)] for item in items}
    result = AssignmentResult()
    for item in sorted(items, key=lambda i: (len(eligible[i.id]), i.id)):
        need = per_item - len(holders[item.id])
        candidates = [r for r in eligible[item.id] if r.id not in holders[item.id] and load[r.id] < cap_per_reviewer]
        for reviewer in sorted(candidates, key=lambda r: (load[r.id], r.id))[:max(need, 0)]:
            result.added.append(_new(call, kind, item, reviewer, actor=actor, automatic=True))
            load[reviewer.id] += 1
            holders[item.id].add(reviewer.id)
        if len(holders[item.id]) < per_item:
            result.short[item.id] = per_item - len(holders[item.id])
    return result


def add_assignment(call: Call, kind: ReviewTarget, item, reviewer, *, actor) -> ReviewAssignment:
    """Assign `reviewer` to `item` by hand (the cap of the automatic assignment does not apply).

    Raises `ReviewError` when `reviewer` is not an active reviewer of the tenant, the item is not
    of `call`, the reviewer has a provider conflict or declared one, or is already assigned.
    """
    if reviewer.tenant_id != call.tenant_id or reviewer not in queries.reviewers_of(call.tenant_id):
        raise ReviewError("審査員を選んでください。")
    if item.tenant_id != call.tenant_id or item.call_id != call.id:
        raise ReviewError("この募集の審査対象ではありません。")
    if has_conflict(reviewer, item) or queries.declared_conflict(reviewer, item):
        raise ReviewError("利害関係のある審査員は割り当てられません。")
    if queries.assignment_of(reviewer, item) is not None:
        raise ReviewError("すでに割り当てられています。")
    return _new(call, kind, item, reviewer, actor=actor, automatic=False)


def remove_assignment(call: Call, kind: ReviewTarget, item, reviewer, *, actor) -> None:
    """Remove `reviewer`'s assignment to `item` (audited). Raises `ReviewError` when there is none
    or when the reviewer has already scored the item (the score would lose its assignment)."""
    assignment = queries.assignment_of(reviewer, item)
    if assignment is None or assignment.call_id != call.id:
        raise ReviewError("割当が見つかりません。")
    if queries.review_by(item, reviewer) is not None:
        raise ReviewError("採点済みのため、割当を解除できません。")
    record_audit("review.assignment.drop", tenant_id=call.tenant_id, actor=actor, target=assignment,
                 changes={"target": str(kind), "item_id": item.id, "reviewer_id": reviewer.id, "why": "manual"})
    db.session.delete(assignment)
    db.session.flush()
