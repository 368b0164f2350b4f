"""Scoring: per-call weighted rubric, mandatory justifications, phases, states, conflicts of interest."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calls.services import transition_call
from app.calls.states import CallPhase
from app.core.audit import AuditEvent
from app.extensions import db
from app.menus.services import decide_proposal
from app.reviews import queries
from app.reviews.models import ConflictDeclaration, Review, ReviewCriterion
from app.reviews.rubric import Criterion, rubric_for, weighted_score
from app.reviews.services import ReviewError, declare_conflict, rubric, score_application, score_proposal, update_rubric
from app.reviews.states import ReviewTarget
from tests import factories
from tests.conftest import in_tenant
from tests.menus.builders import call_in, proposal
from tests.reviews.builders import (
    APP_SCORES,
    APP_WHY,
    GOOD,
    WHY,
    applications_in_selection,
    declared,
    proposals_in_review,
    reviewer,
)


def _in_review(t, *, submit: bool = True):
    call = call_in(t, CallPhase.PROPOSALS)
    item = proposal(call, factories.provider(t), submit=submit)
    transition_call(call, CallPhase.MENU_REVIEW, actor=None)
    return call, item


def _audits(action: str) -> int:
    return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == action))


def test_rubric_comes_from_the_tenant(app):
    with in_tenant(app) as t:
        assert [(c["key"], c["max"], c["weight"], c["required"]) for c in rubric(t)] == [
            ("necessity", 5, 1.0, True), ("feasibility", 5, 1.0, True), ("cost", 5, 1.0, True)]


def test_application_rubric_has_a_default_and_the_tenant_file_is_read_tolerantly(app):
    with in_tenant(app) as t:
        call, _items = proposals_in_review(t)
        assert [c.key for c in rubric_for(call, ReviewTarget.APPLICATION, t)] == ["clarity", "readiness", "effect"]
        t.rules = {**t.rules, "application_rubric": [{"key": "a", "label": "A", "max": 4, "weight": 3, "required": False},
                                                     {"label": "no key"}, {"key": "b", "max": "x"}, {"key": "a"}]}
        assert rubric_for(call, ReviewTarget.APPLICATION, t) == [Criterion("a", "A", 4, 3.0, False)]


def test_weighted_score_is_normalised_to_100():
    criteria = [Criterion("a", "A", 5, 2.0), Criterion("b", "B", 10, 1.0), Criterion("c", "C", 5, 1.0, required=False)]
    assert weighted_score(criteria, {"a": 5, "b": 10}) == 100.0
    assert weighted_score(criteria, {"a": 1, "b": 5}) == pytest.approx(100 * (2 * 0.2 + 0.5) / 3, abs=0.05)
    assert weighted_score(criteria, {"a": 5, "b": 10, "c": 1}) == pytest.approx(100 * (2 + 1 + 0.2) / 4, abs=0.05)
    assert weighted_score(criteria, {}) == 0.0


def test_score_totals_weights_and_upserts(app):
    with in_tenant(app) as t:
        _call, item = _in_review(t)
        rev = reviewer(t, "rev@example.jp")
        declared(item, rev)
        review = score_proposal(item, rev, scores=GOOD, justifications=WHY, comment=" 妥当 ")
        assert (review.total, review.weighted_score, review.comment) == (12, 80.0, "妥当")
        assert review.justifications == WHY
        again = score_proposal(item, rev, scores={"necessity": 1, "feasibility": 1, "cost": 2}, justifications=WHY)
        assert again.id == review.id and again.total == 4
        assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 1
        assert _audits("review.score") == 2


@pytest.mark.parametrize(("scores", "justifications", "message"), [
    ({"necessity": 6, "feasibility": 3, "cost": 4}, WHY, "1から5"),
    ({"necessity": 0, "feasibility": 3, "cost": 4}, WHY, "1から5"),
    ({"necessity": 5, "feasibility": 3}, WHY, "必須"),
    ({"necessity": 5, "feasibility": 3, "cost": 4, "extra": 1}, WHY, "評価項目にない"),
    ({"necessity": "5", "feasibility": 3, "cost": 4}, WHY, "1から5"),
    (GOOD, {"necessity": "理由", "feasibility": "理由"}, "評価理由"),
    (GOOD, {**WHY, "cost": "   "}, "評価理由"),
    (GOOD, {}, "評価理由"),
])
def test_scores_outside_the_rubric_or_without_justification_are_refused(app, scores, justifications, message):
    with in_tenant(app) as t:
        _call, item = _in_review(t)
        rev = reviewer(t, "rev@example.jp")
        declared(item, rev)
        with pytest.raises(ReviewError, match=message):
            score_proposal(item, rev, scores=scores, justifications=justifications)


def test_conflict_of_interest_is_refused(app):
    with in_tenant(app) as t:
        _call, item = _in_review(t)
        insider = reviewer(t, "insider@example.jp", organisation=factories.provider(t))
        with pytest.raises(ReviewError, match="利害関係"):
            score_proposal(item, insider, scores=GOOD, justifications=WHY)
        with pytest.raises(ReviewError, match="利害関係"):
            declare_conflict(item, insider, has_conflict=False)


def test_scoring_only_in_menu_review_while_submitted_and_after_declaring(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        item = proposal(call, factories.provider(t))
        rev = reviewer(t, "rev@example.jp")
        with pytest.raises(ReviewError, match="審査期間"):
            score_proposal(item, rev, scores=GOOD, justifications=WHY)
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        with pytest.raises(ReviewError, match="利害関係の有無を申告"):
            score_proposal(item, rev, scores=GOOD, justifications=WHY)
        declared(item, rev)
        decide_proposal(item, actor=None, adopt=True, reason="")
        with pytest.raises(ReviewError, match="採否が決定"):
            score_proposal(item, rev, scores=GOOD, justifications=WHY)


def test_drafts_cannot_be_scored(app):
    with in_tenant(app) as t:
        _call, draft = _in_review(t, submit=False)
        rev = reviewer(t, "rev@example.jp")
        with pytest.raises(ReviewError):
            score_proposal(draft, rev, scores=GOOD, justifications=WHY)


def test_the_call_rubric_is_copied_at_the_first_score_and_then_frozen(app):
    with in_tenant(app) as t:
        call, item = _in_review(t)
        operator = factories.user(t, Role.OPERATOR, "op@example.jp")
        update_rubric(call, ReviewTarget.PROPOSAL, [
            {"key": "fit", "label": "適合", "max": 10, "weight": 3, "required": True},
            {"key": "extra", "label": "加点", "max": 5, "weight": 1, "required": False},
        ], actor=operator)
        rev = reviewer(t, "rev@example.jp")
        declared(item, rev)
        review = score_proposal(item, rev, scores={"fit": 5}, justifications={"fit": "半分程度"})
        assert review.weighted_score == 50.0 and review.scores == {"fit": 5}
        with pytest.raises(ReviewError, match="採点が始まっている"):
            update_rubric(call, ReviewTarget.PROPOSAL, [{"key": "x", "label": "X", "max": 5, "weight": 1}], actor=None)
        # the application rubric of the same call is still open, and copied from the tenant when first scored
        assert not queries.rubric_is_locked(call, ReviewTarget.APPLICATION)
        assert _audits("review.rubric.update") == 1


@pytest.mark.parametrize(("criteria", "message"), [
    ([], "1つ以上"),
    ([{"key": "A", "label": "A", "max": 5, "weight": 1}], "項目キー"),
    ([{"key": "a", "label": "A", "max": 5, "weight": 1}, {"key": "a", "label": "B", "max": 5, "weight": 1}], "重複"),
    ([{"key": "a", "label": "", "max": 5, "weight": 1}], "名称"),
    ([{"key": "a", "label": "A", "max": 0, "weight": 1}], "配点"),
    ([{"key": "a", "label": "A", "max": 5, "weight": 0}], "重み"),
    ([{"key": "a", "label": "A", "max": 5, "weight": 1, "required": False}], "必須"),
])
def test_invalid_rubrics_are_refused(app, criteria, message):
    with in_tenant(app) as t:
        call, _item = _in_review(t)
        with pytest.raises(ReviewError, match=message):
            update_rubric(call, ReviewTarget.PROPOSAL, criteria, actor=None)
        assert db.session.scalar(sa.select(sa.func.count(ReviewCriterion.id))) == 0


def test_declaring_a_conflict_removes_the_reviewer_and_is_final(app):
    with in_tenant(app) as t:
        _call, item = _in_review(t)
        rev = reviewer(t, "rev@example.jp")
        declared(item, rev)
        score_proposal(item, rev, scores=GOOD, justifications=WHY)
        with pytest.raises(ReviewError, match="理由"):
            declare_conflict(item, rev, has_conflict=True, reason=" ")
        declare_conflict(item, rev, has_conflict=True, reason="前職がこの会社")
        assert queries.review_by(item, rev) is None and queries.declared_conflict(rev, item)
        assert _audits("review.conflict.declare") == 2 and _audits("review.delete") == 1
        with pytest.raises(ReviewError, match="利害関係ありと申告済み"):
            declare_conflict(item, rev, has_conflict=False)
        with pytest.raises(ReviewError, match="利害関係"):
            score_proposal(item, rev, scores=GOOD, justifications=WHY)
        declaration = db.session.scalar(sa.select(ConflictDeclaration))
        assert (declaration.has_conflict, declaration.reason) == (True, "前職がこの会社")


def test_applications_are_scored_in_selection_with_their_own_rubric(app):
    with in_tenant(app) as t:
        _call, _menu, (first, _second) = applications_in_selection(t)
        rev = reviewer(t, "rev@example.jp")
        declared(first, rev)
        review = score_application(first, rev, scores=APP_SCORES, justifications=APP_WHY)
        assert review.target == ReviewTarget.APPLICATION and review.application_id == first.id
        assert review.weighted_score == pytest.approx(100 * (2 * 0.8 + 0.6 + 1.0) / 4, abs=0.05)


def test_application_scoring_outside_selection_is_refused(app):
    with in_tenant(app) as t:
        _call, _menu, (first, _second) = applications_in_selection(t, phase=CallPhase.APPLICATIONS)
        rev = reviewer(t, "rev@example.jp")
        declared(first, rev)
        with pytest.raises(ReviewError, match="選定・決定"):
            score_application(first, rev, scores=APP_SCORES, justifications=APP_WHY)


def test_a_reviewer_of_a_chosen_provider_never_scores_the_application(app):
    with in_tenant(app) as t:
        _call, menu, (first, second) = applications_in_selection(t)
        insider = reviewer(t, "insider@example.jp", organisation=factories.provider(t, "甲社"))
        assert menu[0].provider.name == "甲社" and first.choices[0].menu_item_id == menu[0].id
        with pytest.raises(ReviewError, match="利害関係"):
            score_application(first, insider, scores=APP_SCORES, justifications=APP_WHY)
        listed = [row.item.id for row in queries.items_to_review(t, insider) if row.target == ReviewTarget.APPLICATION]
        assert listed == [second.id]


def test_review_averages_cover_reviewed_applications_only(app):
    with in_tenant(app) as t:
        call, _menu, (first, second) = applications_in_selection(t)
        a, b = reviewer(t, "a@example.jp"), reviewer(t, "b@example.jp")
        for rev, points in ((a, 5), (b, 2)):
            declared(first, rev)
            score_application(first, rev, scores=dict.fromkeys(APP_SCORES, points), justifications=APP_WHY)
        assert queries.review_averages(t, call) == {first.id: 70}  # unreviewed: absent (neutral in the optimiser)
        result = next(r for r in queries.item_results(call, ReviewTarget.APPLICATION) if r.item.id == first.id)
        assert (result.count, result.average, result.minimum, result.maximum, result.stdev) == (2, 70.0, 40.0, 100.0, 30.0)
