"""Scoring menu proposals: rubric range, upsert, phase and state checks, conflict of interest."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calls.services import transition_call
from app.calls.states import CallPhase
from app.extensions import db
from app.menus.services import decide_proposal
from app.reviews.models import Review
from app.reviews.services import ReviewError, rubric, score_proposal
from tests import factories
from tests.conftest import in_tenant
from tests.menus.builders import call_in, proposal

GOOD = {"necessity": 5, "feasibility": 3, "cost": 4}


def _in_review(t, *, submit: bool = True):
    call = call_in(t, CallPhase.PROPOSALS)
    item = proposal(call, factories.provider(t), submit=submit)
    transition_call(call, CallPhase.MENU_REVIEW, actor=None)
    return call, item


def test_rubric_comes_from_the_tenant(app):
    with in_tenant(app) as t:
        assert [(c["key"], c["max"]) for c in rubric(t)] == [("necessity", 5), ("feasibility", 5), ("cost", 5)]


def test_score_totals_and_upserts(app):
    with in_tenant(app) as t:
        _call, item = _in_review(t)
        reviewer = factories.user(t, Role.REVIEWER, "rev@example.jp")
        review = score_proposal(item, reviewer, scores=GOOD, comment=" 妥当 ")
        assert (review.total, review.comment) == (12, "妥当")
        again = score_proposal(item, reviewer, scores={"necessity": 1, "feasibility": 1, "cost": 2}, comment="")
        assert again.id == review.id and again.total == 4
        assert db.session.scalar(sa.select(sa.func.count(Review.id))) == 1


@pytest.mark.parametrize("scores", [
    {"necessity": 6, "feasibility": 3, "cost": 4},
    {"necessity": 0, "feasibility": 3, "cost": 4},
    {"necessity": 5, "feasibility": 3},
    {"necessity": 5, "feasibility": 3, "cost": 4, "extra": 1},
    {"necessity": "5", "feasibility": 3, "cost": 4},
])
def test_scores_outside_the_rubric_are_refused(app, scores):
    with in_tenant(app) as t:
        _call, item = _in_review(t)
        reviewer = factories.user(t, Role.REVIEWER, "rev@example.jp")
        with pytest.raises(ReviewError):
            score_proposal(item, reviewer, scores=scores, comment="")


def test_conflict_of_interest_is_refused(app):
    with in_tenant(app) as t:
        _call, item = _in_review(t)
        insider = factories.user(t, Role.REVIEWER, "insider@example.jp", organisation=factories.provider(t))
        with pytest.raises(ReviewError, match="利害関係"):
            score_proposal(item, insider, scores=GOOD, comment="")


def test_scoring_only_in_menu_review_and_while_submitted(app):
    with in_tenant(app) as t:
        call = call_in(t, CallPhase.PROPOSALS)
        item = proposal(call, factories.provider(t))
        reviewer = factories.user(t, Role.REVIEWER, "rev@example.jp")
        with pytest.raises(ReviewError, match="審査期間"):
            score_proposal(item, reviewer, scores=GOOD, comment="")
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        decide_proposal(item, actor=None, adopt=True, reason="")
        with pytest.raises(ReviewError, match="採否が決定"):
            score_proposal(item, reviewer, scores=GOOD, comment="")


def test_drafts_cannot_be_scored(app):
    with in_tenant(app) as t:
        _call, draft = _in_review(t, submit=False)
        reviewer = factories.user(t, Role.REVIEWER, "rev@example.jp")
        with pytest.raises(ReviewError):
            score_proposal(draft, reviewer, scores=GOOD, comment="")
