"""Review services (issue 3 items 4-5): per-call weighted rubrics, scores with a mandatory
justification (評価理由) per criterion, and reviewers' conflict-of-interest declarations.
Reviewer assignment is in `app.reviews.assignment`.

Services flush, never commit, never read `flask.request`; every change is audited.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from app.applications.models import Application
from app.applications.states import ApplicationState
from app.calls.models import Call
from app.core.audit import record_audit
from app.core.db import utcnow
from app.extensions import db
from app.menus.models import MenuProposal
from app.menus.states import ProposalState
from app.reviews import queries
from app.reviews.models import ConflictDeclaration, Review, ReviewCriterion
from app.reviews.permissions import has_conflict as provider_conflict
from app.reviews.permissions import target_of
from app.reviews.rubric import Criterion, rubric_for, stored_criteria, tenant_rubric, weighted_score
from app.reviews.states import SCORING_PHASE, ReviewTarget

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_TEXT = 2000


class ReviewError(ValueError):
    """A review action cannot be done as asked (message is user-facing Japanese)."""


def rubric(tenant) -> list[dict]:
    """The tenant's default proposal rubric `[{key, label, max, weight, required}]`
    (tenant.toml `rules.review_rubric`), for pages that show criteria of the tenant."""
    return [c.as_dict() for c in tenant_rubric(tenant, ReviewTarget.PROPOSAL)]


def _call_of(item) -> Call:
    return db.session.scalar(sa.select(Call).where(Call.tenant_id == item.tenant_id, Call.id == item.call_id))


def ensure_rubric(call: Call, target: ReviewTarget) -> list[ReviewCriterion]:
    """The call's stored criteria for `target`, copying the tenant defaults first if none are
    stored yet (so later tenant.toml edits never change a call under review). Flushes."""
    rows = stored_criteria(call, target)
    if rows:
        return rows
    for position, c in enumerate(rubric_for(call, target)):
        db.session.add(ReviewCriterion(tenant_id=call.tenant_id, call_id=call.id, target=target, position=position,
                                       key=c.key, label=c.label, max_points=c.max, weight=c.weight, is_required=c.required))
    db.session.flush()
    return stored_criteria(call, target)


def _checked_criteria(criteria: list[dict]) -> list[Criterion]:
    if not criteria:
        raise ReviewError("評価項目を1つ以上設定してください。")
    checked, keys = [], set()
    for raw in criteria:
        key, label = str(raw.get("key") or "").strip(), str(raw.get("label") or "").strip()
        if not KEY_PATTERN.match(key):
            raise ReviewError(f"項目キー「{key}」は半角英小文字で始まる英小文字・数字・_（40文字以内）にしてください。")
        if key in keys:
            raise ReviewError(f"項目キー「{key}」が重複しています。")
        if not label or len(label) > 200:
            raise ReviewError(f"項目「{key}」の名称を200文字以内で入力してください。")
        maximum, weight = raw.get("max"), raw.get("weight")
        if isinstance(maximum, bool) or not isinstance(maximum, int) or not 1 <= maximum <= 100:
            raise ReviewError(f"「{label}」の配点は1から100の整数にしてください。")
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
            raise ReviewError(f"「{label}」の重みは0より大きく100以下にしてください。")
        keys.add(key)
        checked.append(Criterion(key, label, maximum, float(weight), bool(raw.get("required", True))))
    if not any(c.required for c in checked):
        raise ReviewError("必須の評価項目を1つ以上設定してください。")
    return checked


def update_rubric(call: Call, target: ReviewTarget, criteria: list[dict], *, actor) -> list[ReviewCriterion]:
    """Replace the rubric of `call` for `target` with `criteria [{key, label, max, weight, required}]`
    (points 1..max ≤ 100, weight in (0, 100], keys `[a-z][a-z0-9_]*` unique, at least one required).

    Raises `ReviewError` once a score is recorded for that call and kind (the rubric is then
    frozen, so every review of an item is on the same rubric) or for invalid criteria. Audited
    with the rubric before and after.
    """
    if queries.rubric_is_locked(call, target):
        raise ReviewError("採点が始まっているため、評価項目は変更できません。")
    checked = _checked_criteria(criteria)
    before = [c.as_dict() for c in rubric_for(call, target)]
    for row in stored_criteria(call, target):
        db.session.delete(row)
    db.session.flush()
    for position, c in enumerate(checked):
        db.session.add(ReviewCriterion(tenant_id=call.tenant_id, call_id=call.id, target=target, position=position,
                                       key=c.key, label=c.label, max_points=c.max, weight=c.weight, is_required=c.required))
    db.session.flush()
    record_audit("review.rubric.update", tenant_id=call.tenant_id, actor=actor, target=call,
                 changes={"target": str(target), "before": before, "after": [c.as_dict() for c in checked]})
    return stored_criteria(call, target)


def _check_scores(criteria: list[Criterion], scores: dict, justifications: dict) -> tuple[dict, dict]:
    """`({key: points}, {key: justification})` of the criteria scored, or `ReviewError`."""
    known = {c.key for c in criteria}
    if set(scores) - known:
        raise ReviewError("評価項目にない採点が含まれています。")
    checked, reasons = {}, {}
    for c in criteria:
        value = scores.get(c.key)
        if value is None:
            if c.required:
                raise ReviewError(f"「{c.label}」を採点してください（必須）。")
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= c.max:
            raise ReviewError(f"「{c.label}」は1から{c.max}の範囲で採点してください。")
        reason = str((justifications or {}).get(c.key) or "").strip()
        if not reason:
            raise ReviewError(f"「{c.label}」の評価理由を入力してください。")
        if len(reason) > MAX_TEXT:
            raise ReviewError(f"「{c.label}」の評価理由は{MAX_TEXT}文字以内で入力してください。")
        checked[c.key], reasons[c.key] = value, reason
    return checked, reasons


def _check_may_score(item, reviewer, call: Call) -> None:
    target = target_of(item)
    if reviewer.tenant_id != item.tenant_id or provider_conflict(reviewer, item) or queries.declared_conflict(reviewer, item):
        raise ReviewError("利害関係のある審査対象は採点できません。")
    if not queries.is_assigned_or_open(reviewer, item):
        raise ReviewError("この審査対象の担当に割り当てられていないため、採点できません。")
    if call.phase != SCORING_PHASE[target]:
        raise ReviewError("支援メニューの審査期間ではないため、採点できません。" if target == ReviewTarget.PROPOSAL
                          else "申込の審査期間（選定・決定）ではないため、採点できません。")
    if target == ReviewTarget.PROPOSAL and item.state != ProposalState.SUBMITTED:
        raise ReviewError("採否が決定した提案は採点できません。")
    if target == ReviewTarget.APPLICATION and item.state != ApplicationState.SUBMITTED:
        raise ReviewError("審査中（提出済）ではない申込は採点できません。")
    if queries.declaration_of(reviewer, item) is None:
        raise ReviewError("採点の前に、利害関係の有無を申告してください。")


def _score(item, reviewer, scores: dict, justifications: dict, comment: str) -> Review:
    call = _call_of(item)
    _check_may_score(item, reviewer, call)
    target = target_of(item)
    criteria = [Criterion(r.key, r.label, r.max_points, r.weight, r.is_required) for r in ensure_rubric(call, target)]
    checked, reasons = _check_scores(criteria, scores, justifications)
    review = queries.review_by(item, reviewer)
    if review is None:
        review = Review(tenant_id=item.tenant_id, call_id=call.id, target=target, reviewer_id=reviewer.id,
                        **{queries.ITEM_COLUMN[target]: item.id})
        db.session.add(review)
    review.scores, review.justifications = checked, reasons
    review.total, review.weighted_score = sum(checked.values()), weighted_score(criteria, checked)
    review.comment = (comment or "").strip()[:MAX_TEXT]
    db.session.flush()
    record_audit("review.score", tenant_id=item.tenant_id, actor=reviewer, target=review,
                 changes={"target": str(target), "item_id": item.id, "scores": checked,
                          "weighted_score": review.weighted_score})
    return review


def score_proposal(proposal: MenuProposal, reviewer, *, scores: dict[str, int], justifications: dict[str, str],
                   comment: str = "") -> Review:
    """Record (or replace) `reviewer`'s scores `{key: points}` with `justifications {key: 評価理由}`
    for a submitted proposal, on the call's proposal rubric (copied from the tenant at the first score).

    Raises `ReviewError`: conflict of interest (the reviewer's organisation is the provider, or a
    declared conflict; product.md §5), not assigned while the call assigns reviewers, outside the
    call's MENU_REVIEW phase, proposal not SUBMITTED, no 利害関係なし declaration yet, a required
    criterion unscored, points outside 1..max, or a scored criterion without justification.
    """
    return _score(proposal, reviewer, scores, justifications, comment)


def score_application(application: Application, reviewer, *, scores: dict[str, int], justifications: dict[str, str],
                      comment: str = "") -> Review:
    """As `score_proposal`, for a SUBMITTED application during the call's SELECTION phase (選定・決定),
    on the call's application rubric. A reviewer of a provider that any of the application's
    choices would go to has a conflict (issue 3 item 5)."""
    return _score(application, reviewer, scores, justifications, comment)


def declare_conflict(item, reviewer, *, has_conflict: bool, reason: str = "") -> ConflictDeclaration:
    """Record `reviewer`'s declaration on `item` (a proposal or application) before seeing its
    details: 利害関係なし, or あり with `reason` — which removes the reviewer from the item: the
    assignment (if any) and any review of theirs are deleted, each audited.

    Raises `ReviewError` for a reviewer who may not see the item, an あり without reason, or an
    attempt to turn an あり back into なし (the operator re-assigns instead).
    """
    reason = (reason or "").strip()
    if reviewer.tenant_id != item.tenant_id or provider_conflict(reviewer, item):
        raise ReviewError("利害関係のある審査対象です。")
    if not queries.is_assigned_or_open(reviewer, item) and queries.declaration_of(reviewer, item) is None:
        raise ReviewError("この審査対象の担当に割り当てられていません。")
    if has_conflict and not reason:
        raise ReviewError("利害関係の内容（理由）を入力してください。")
    if len(reason) > MAX_TEXT:
        raise ReviewError(f"理由は{MAX_TEXT}文字以内で入力してください。")
    declaration = queries.declaration_of(reviewer, item)
    if declaration is not None and declaration.has_conflict:
        raise ReviewError("利害関係ありと申告済みです。変更は事業担当にご連絡ください。")
    if declaration is not None and not has_conflict:
        return declaration
    target = target_of(item)
    if declaration is None:
        declaration = ConflictDeclaration(tenant_id=item.tenant_id, call_id=item.call_id, target=target,
                                          reviewer_id=reviewer.id, **{queries.ITEM_COLUMN[target]: item.id})
        db.session.add(declaration)
    declaration.has_conflict, declaration.reason, declaration.declared_at = has_conflict, reason, utcnow()
    db.session.flush()
    record_audit("review.conflict.declare", tenant_id=item.tenant_id, actor=reviewer, target=declaration,
                 changes={"target": str(target), "item_id": item.id, "has_conflict": has_conflict, "reason": reason})
    if has_conflict:
        _remove_reviewer_from(item, reviewer)
    return declaration


def _remove_reviewer_from(item, reviewer) -> None:
    """Drop the assignment and the review of a reviewer who declared a conflict (both audited)."""
    assignment = queries.assignment_of(reviewer, item)
    if assignment is not None:
        record_audit("review.assignment.drop", tenant_id=item.tenant_id, actor=reviewer, target=assignment,
                     changes={"reviewer_id": reviewer.id, "item_id": item.id, "why": "conflict_declared"})
        db.session.delete(assignment)
    review = queries.review_by(item, reviewer)
    if review is not None:
        record_audit("review.delete", tenant_id=item.tenant_id, actor=reviewer, target=review,
                     changes={"item_id": item.id, "scores": review.scores, "why": "conflict_declared"})
        db.session.delete(review)
    db.session.flush()

