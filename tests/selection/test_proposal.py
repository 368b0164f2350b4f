"""Unit tests of the pure selection algorithm (no database, no Flask)."""
import datetime as dt
from collections import Counter

from app.selection import proposal
from app.selection.proposal import Candidate, Item, Rules, adjustment_problem, plan_violation, propose

T0 = dt.datetime(2024, 5, 20, tzinfo=dt.timezone.utc)


def cand(app_id, muni, *choices, minutes=0, priority=False, never=False, **kw):
    return Candidate(application_id=app_id, municipality_id=muni, submitted_at=T0 + dt.timedelta(minutes=minutes),
                     choices=tuple(choices), is_priority=priority, never_supported=never, **kw)


def by_app(decisions):
    return {d.application_id: d for d in decisions}


def test_priority_applicant_gets_the_last_place_even_when_submitted_later():
    items = [Item(10, capacity=1, unit_cost=100)]
    decisions = by_app(propose([cand(1, 101, 10, minutes=0), cand(2, 102, 10, minutes=60, priority=True)],
                               items, Rules(budget=1000)))
    assert decisions[2].menu_item_id == 10
    assert decisions[1].menu_item_id is None
    assert decisions[2].reason == "選定：過去2年間支援なし（優先）・第1希望・残り枠0"
    assert decisions[1].reason == proposal.NO_CAPACITY


def test_never_supported_first_among_priority_then_earliest_submission():
    items = [Item(10, capacity=2, unit_cost=100)]
    candidates = [cand(1, 101, 10, minutes=0, priority=True), cand(2, 102, 10, minutes=30, priority=True, never=True),
                  cand(3, 103, 10, minutes=10, priority=True)]
    decisions = by_app(propose(candidates, items, Rules(budget=1000)))
    assert [a for a, d in decisions.items() if d.menu_item_id] == [2, 1]
    assert "支援実績なし" in decisions[2].reason
    assert "支援実績なし" not in decisions[1].reason
    assert [c.application_id for c in sorted(candidates, key=proposal.order_key)] == [2, 1, 3]


def test_falls_back_to_lower_ranked_choice_when_first_is_full():
    items = [Item(10, capacity=1, unit_cost=100), Item(20, capacity=3, unit_cost=100)]
    decisions = by_app(propose([cand(1, 101, 10, 20), cand(2, 102, 10, 20, minutes=5)], items, Rules(budget=1000)))
    assert (decisions[1].menu_item_id, decisions[1].choice_rank) == (10, 1)
    assert (decisions[2].menu_item_id, decisions[2].choice_rank) == (20, 2)
    assert decisions[2].reason == "選定：第2希望・残り枠2"


def test_budget_limits_selection_and_cheaper_choice_is_taken():
    items = [Item(10, capacity=5, unit_cost=600), Item(20, capacity=5, unit_cost=300)]
    decisions = by_app(propose([cand(1, 101, 10), cand(2, 102, 10, 20, minutes=1), cand(3, 103, 10, minutes=2)],
                               items, Rules(budget=1000)))
    assert decisions[1].menu_item_id == 10
    assert decisions[2].menu_item_id == 20  # 600 + 600 > 1000, the 300 second choice fits
    assert decisions[3].menu_item_id is None
    assert decisions[3].reason == proposal.OVER_BUDGET


def test_first_pass_spreads_then_second_pass_gives_more_while_resources_remain():
    items = [Item(10, capacity=3, unit_cost=100)]
    rules = Rules(budget=1000, max_first_pass=1, max_per_municipality=2)
    candidates = [cand(1, 101, 10), cand(2, 101, 10, minutes=1), cand(3, 102, 10, minutes=2)]
    decisions = by_app(propose(candidates, items, rules))
    assert (decisions[1].pass_no, decisions[3].pass_no, decisions[2].pass_no) == (1, 1, 2)
    assert decisions[2].reason == "選定（第2段階）：予算・受入枠に余裕・第1希望・残り枠0"


def test_second_pass_respects_capacity_and_municipality_cap():
    items = [Item(10, capacity=2, unit_cost=100)]
    rules = Rules(budget=1000, max_first_pass=1, max_per_municipality=2)
    candidates = [cand(1, 101, 10), cand(2, 101, 10, minutes=1), cand(3, 102, 10, minutes=2)]
    decisions = by_app(propose(candidates, items, rules))
    assert decisions[2].menu_item_id is None and decisions[2].reason == proposal.NO_CAPACITY
    capped = by_app(propose(candidates, [Item(10, capacity=5, unit_cost=100)], Rules(budget=1000)))
    assert capped[2].menu_item_id is None and capped[2].reason == proposal.MUNICIPALITY_CAP


def test_pinned_decisions_consume_first_and_are_not_returned():
    items = [Item(10, capacity=1, unit_cost=100)]
    candidates = [cand(1, 101, 10, priority=True), cand(2, 102, 10, minutes=5, is_pinned=True, pinned_item_id=10)]
    decisions = by_app(propose(candidates, items, Rules(budget=1000)))
    assert set(decisions) == {1}
    assert decisions[1].menu_item_id is None and decisions[1].reason == proposal.NO_CAPACITY


def test_pinned_budget_is_reserved():
    items = [Item(10, capacity=5, unit_cost=600)]
    candidates = [cand(1, 101, 10, priority=True), cand(2, 102, 10, minutes=5, is_pinned=True, pinned_item_id=10)]
    assert by_app(propose(candidates, items, Rules(budget=1000)))[1].reason == proposal.OVER_BUDGET


def test_excluded_is_never_selected():
    items = [Item(10, capacity=5, unit_cost=100)]
    decisions = by_app(propose([cand(1, 101, 10, priority=True, is_excluded=True), cand(2, 102, 10)], items, Rules(budget=1000)))
    assert decisions[1].menu_item_id is None and decisions[1].reason == proposal.EXCLUDED
    assert decisions[2].menu_item_id == 10


def test_lookback_years_appear_in_the_reason():
    decisions = propose([cand(1, 101, 10, priority=True)], [Item(10, 3, 0)], Rules(budget=0, lookback_years=3))
    assert decisions[0].reason == "選定：過去3年間支援なし（優先）・第1希望・残り枠2"


def test_adjustment_problem_checks_capacity_budget_and_cap():
    item = Item(10, capacity=2, unit_cost=400)
    rules = Rules(budget=1000, max_per_municipality=1)
    fits = dict(items_used=Counter({10: 1}), cost_used=600, municipality_count=0, rules=rules)
    assert adjustment_problem(item, **fits) is None
    assert adjustment_problem(item, **{**fits, "items_used": Counter({10: 2})}) == proposal.CAPACITY
    assert adjustment_problem(item, **{**fits, "cost_used": 601}) == proposal.BUDGET
    assert adjustment_problem(item, **{**fits, "municipality_count": 1}) == proposal.CAP
    assert adjustment_problem(None, **{**fits, "cost_used": 5000}) is None


def test_plan_violation():
    items = [Item(10, capacity=1, unit_cost=500), Item(20, capacity=2, unit_cost=500)]
    rules = Rules(budget=1000, max_per_municipality=1)
    assert plan_violation([(1, 10), (2, 20)], items, rules) is None
    assert plan_violation([(1, 10), (2, 10)], items, rules) == proposal.CAPACITY
    assert plan_violation([(1, 10), (2, 20), (3, 20)], items, rules) == proposal.BUDGET
    assert plan_violation([(1, 10), (1, 20)], items, rules) == proposal.CAP


def test_proposal_never_exceeds_limits_on_a_larger_case():
    items = [Item(i, capacity=(i % 3) + 1, unit_cost=100 * (i % 4 + 1)) for i in range(1, 11)]
    candidates = [cand(a, 100 + a % 17, (a % 10) + 1, ((a * 3) % 10) + 1, ((a * 7) % 10) + 1, minutes=a,
                       priority=a % 2 == 0) for a in range(1, 41)]
    rules = Rules(budget=2500, max_first_pass=1, max_per_municipality=2)
    decisions = propose(candidates, items, rules)
    muni = {c.application_id: c.municipality_id for c in candidates}
    plan = [(muni[d.application_id], d.menu_item_id) for d in decisions if d.menu_item_id]
    assert plan and plan_violation(plan, items, rules) is None
    first_pass_munis = Counter(muni[d.application_id] for d in decisions if d.pass_no == 1)
    assert max(first_pass_munis.values()) == 1


def test_blocked_items_are_skipped_and_named_when_nothing_else_is_left():
    items = [Item(10, capacity=2, unit_cost=100), Item(20, capacity=2, unit_cost=100)]
    candidates = [cand(1, 101, 10, 20, blocked_items=frozenset({10})), cand(2, 102, 10, blocked_items=frozenset({10}))]
    decisions = by_app(propose(candidates, items, Rules(budget=1000)))
    assert (decisions[1].menu_item_id, decisions[1].choice_rank) == (20, 2)
    assert decisions[2].menu_item_id is None and decisions[2].reason == proposal.BLOCKED


def test_score_appears_in_the_reason_when_scored():
    decisions = propose([cand(1, 101, 10, score=85)], [Item(10, 3, 100)], Rules(budget=1000))
    assert decisions[0].reason == "選定：評点85・第1希望・残り枠2"
