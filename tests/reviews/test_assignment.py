"""Reviewer assignment: balanced, capped, deterministic, skipping conflicts; manual edits; workload."""
from __future__ import annotations

from collections import Counter

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.extensions import db
from app.reviews import queries
from app.reviews.assignment import add_assignment, assign_reviewers, remove_assignment
from app.reviews.models import ReviewAssignment
from app.reviews.services import ReviewError, declare_conflict, score_proposal
from app.reviews.states import ReviewTarget
from tests import factories
from tests.conftest import in_tenant
from tests.reviews.builders import GOOD, WHY, applications_in_selection, declared, proposals_in_review, reviewer

P = ReviewTarget.PROPOSAL


def _pairs(call, kind=P) -> set[tuple[int, int]]:
    return {(a.item_id, a.reviewer_id) for a in queries.assignments_of(call, kind)}


def test_auto_assignment_is_balanced_capped_and_skips_conflicts(app):
    with in_tenant(app) as t:
        call, items = proposals_in_review(t, providers=("甲社", "乙社", "丙社", "丁社"))
        insider = reviewer(t, "insider@example.jp", organisation=factories.provider(t, "甲社"))
        others = [reviewer(t, f"r{i}@example.jp") for i in range(3)]
        result = assign_reviewers(call, P, per_item=2, cap_per_reviewer=3, actor=None)
        pairs = _pairs(call)
        assert len(result.added) == 8 and not result.short
        assert (items[0].id, insider.id) not in pairs
        assert all(sum(1 for item_id, _r in pairs if item_id == item.id) == 2 for item in items)
        load = Counter(r for _i, r in pairs)
        assert max(load.values()) <= 3 and max(load.values()) - min(load.values()) <= 1
        assert set(load) == {insider.id, *(r.id for r in others)}
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "review.assignment.add")) == 8


def test_auto_assignment_is_deterministic_tops_up_and_reports_shortfalls(app):
    with in_tenant(app) as t:
        call, items = proposals_in_review(t, providers=("甲社", "乙社", "丙社"))
        a, b = reviewer(t, "a@example.jp"), reviewer(t, "b@example.jp")
        first = assign_reviewers(call, P, per_item=1, cap_per_reviewer=5, actor=None)
        assert [(x.item_id, x.reviewer_id) for x in first.added] == [(items[0].id, a.id), (items[1].id, b.id), (items[2].id, a.id)]
        again = assign_reviewers(call, P, per_item=1, cap_per_reviewer=5, actor=None)
        assert again.added == [] and not again.short
        capped = assign_reviewers(call, P, per_item=2, cap_per_reviewer=2, actor=None)
        assert len(_pairs(call)) == 4 and sum(capped.short.values()) == 2
        with pytest.raises(ReviewError):
            assign_reviewers(call, P, per_item=0, cap_per_reviewer=2, actor=None)


def test_auto_assignment_of_applications_skips_providers_they_would_go_to(app):
    with in_tenant(app) as t:
        call, _menu, (first, second) = applications_in_selection(t)
        insider = reviewer(t, "insider@example.jp", organisation=factories.provider(t, "甲社"))
        reviewer(t, "office@example.jp")
        assign_reviewers(call, ReviewTarget.APPLICATION, per_item=2, cap_per_reviewer=5, actor=None)
        pairs = _pairs(call, ReviewTarget.APPLICATION)
        assert (first.id, insider.id) not in pairs and (second.id, insider.id) in pairs
        with pytest.raises(ReviewError, match="利害関係"):
            add_assignment(call, ReviewTarget.APPLICATION, first, insider, actor=None)


def test_assignments_restrict_what_reviewers_see_and_score(app):
    with in_tenant(app) as t:
        call, (one, two) = proposals_in_review(t)
        a, b = reviewer(t, "a@example.jp"), reviewer(t, "b@example.jp")
        assert {r.item.id for r in queries.items_to_review(t, b)} == {one.id, two.id}  # open mode
        add_assignment(call, P, one, a, actor=None)
        assert [r.item.id for r in queries.items_to_review(t, a)] == [one.id]
        assert queries.items_to_review(t, b) == []
        with pytest.raises(ReviewError, match="割り当てられていない"):
            score_proposal(two, a, scores=GOOD, justifications=WHY)
        with pytest.raises(ReviewError, match="すでに"):
            add_assignment(call, P, one, a, actor=None)


def test_manual_removal_and_conflict_declaration_drop_assignments(app):
    with in_tenant(app) as t:
        call, (one, two) = proposals_in_review(t)
        a, b = reviewer(t, "a@example.jp"), reviewer(t, "b@example.jp")
        add_assignment(call, P, one, a, actor=None)
        add_assignment(call, P, two, a, actor=None)
        add_assignment(call, P, one, b, actor=None)
        score_proposal(declared(one, a), a, scores=GOOD, justifications=WHY)
        with pytest.raises(ReviewError, match="採点済み"):
            remove_assignment(call, P, one, a, actor=None)
        remove_assignment(call, P, two, a, actor=None)
        declare_conflict(one, b, has_conflict=True, reason="親族が役員")
        assert _pairs(call) == {(one.id, a.id)}
        rows = {w.reviewer.id: w for w in queries.workload(call, P)}
        assert (rows[a.id].assigned, rows[a.id].scored, rows[a.id].remaining, rows[a.id].conflicts) == (1, 1, 0, 0)
        assert (rows[b.id].assigned, rows[b.id].conflicts) == (0, 1)
        # a declared conflict is skipped by the automatic assignment
        result = assign_reviewers(call, P, per_item=2, cap_per_reviewer=5, actor=None)
        assert _pairs(call) == {(one.id, a.id), (two.id, a.id), (two.id, b.id)} and result.short == {one.id: 1}
        assert db.session.scalar(sa.select(sa.func.count(ReviewAssignment.id))) == 3
