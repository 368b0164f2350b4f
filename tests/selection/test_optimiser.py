"""The allocation optimiser (issue 3 item 2): hand-written cases where it beats the greedy, and
property tests (hypothesis) against constraints, a brute-force optimum and the greedy baseline."""
import datetime as dt
import itertools
from collections import Counter

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.selection import optimiser, proposal
from app.selection.optimiser import Objective, objective_of, optimise, optimise_with_status
from app.selection.proposal import Candidate, Item, Rules, propose

T0 = dt.datetime(2024, 5, 20, tzinfo=dt.timezone.utc)


def cand(app_id, muni, *choices, minutes=0, **kw):
    return Candidate(application_id=app_id, municipality_id=muni, submitted_at=T0 + dt.timedelta(minutes=minutes),
                     choices=tuple(choices), **kw)


def by_app(decisions):
    return {d.application_id: d for d in decisions}


# --- hand-written cases -------------------------------------------------------------------------


def test_reroutes_a_contested_item_to_serve_both_where_greedy_serves_one():
    items = [Item(10, capacity=1, unit_cost=100), Item(20, capacity=1, unit_cost=100)]
    candidates = [cand(1, 101, 10, 20), cand(2, 102, 10, minutes=5)]
    greedy = by_app(propose(candidates, items, Rules(budget=1000)))
    assert greedy[1].menu_item_id == 10 and greedy[2].menu_item_id is None
    outcome = optimise_with_status(candidates, items, Rules(budget=1000))
    best = by_app(outcome.decisions)
    assert (best[1].menu_item_id, best[2].menu_item_id) == (20, 10)
    assert best[1].reason == "選定：第2希望・残り枠0"
    assert best[2].reason == "選定：第1希望・残り枠0"
    assert outcome.is_optimal and outcome.objective.served == 2


def test_cheaper_choices_stretch_the_budget_to_more_municipalities():
    items = [Item(10, capacity=5, unit_cost=600), Item(20, capacity=5, unit_cost=300)]
    candidates = [cand(1, 101, 10, 20), cand(2, 102, 10, 20, minutes=1), cand(3, 103, 10, 20, minutes=2)]
    rules = Rules(budget=900)
    assert sum(d.menu_item_id is not None for d in propose(candidates, items, rules)) == 2
    best = optimise(candidates, items, rules)
    assert [d.menu_item_id for d in best] == [20, 20, 20]


def test_priority_municipalities_come_before_more_coverage():
    items = [Item(10, capacity=1, unit_cost=100), Item(20, capacity=1, unit_cost=100)]
    # 1 (priority) wants only 10; 2 and 3 want 10 or 20: serving 1 leaves room for one of them only.
    candidates = [cand(1, 101, 10, is_priority=True), cand(2, 102, 20, 10), cand(3, 103, 20, 10)]
    outcome = optimise_with_status(candidates, items, Rules(budget=1000))
    decisions = by_app(outcome.decisions)
    assert decisions[1].menu_item_id == 10
    assert decisions[1].reason == "選定：過去2年間支援なし（優先）・第1希望・残り枠0"
    assert outcome.objective[:2] == (1, 2)
    loser = decisions[2] if decisions[2].menu_item_id is None else decisions[3]
    assert loser.reason == proposal.CAPACITY_TO_OTHERS


def test_higher_score_wins_then_better_rank():
    items = [Item(10, capacity=1, unit_cost=100), Item(20, capacity=1, unit_cost=100)]
    candidates = [cand(1, 101, 10, score=60), cand(2, 102, 10, score=90, minutes=9)]
    decisions = by_app(optimise(candidates, items, Rules(budget=100)))
    assert decisions[2].menu_item_id == 10 and decisions[2].reason == "選定：評点90・第1希望・残り枠0"
    assert decisions[1].reason == proposal.CAPACITY_TO_OTHERS
    ranked = by_app(optimise([cand(1, 101, 20, 10), cand(2, 102, 10, 20)], items, Rules(budget=1000)))
    assert (ranked[1].menu_item_id, ranked[2].menu_item_id) == (20, 10)


def test_second_pass_uses_what_is_left_and_is_labelled():
    items = [Item(10, capacity=3, unit_cost=100)]
    rules = Rules(budget=1000, max_first_pass=1, max_per_municipality=2)
    candidates = [cand(1, 101, 10, score=50), cand(2, 101, 10, score=80), cand(3, 102, 10)]
    outcome = optimise_with_status(candidates, items, rules)
    decisions = by_app(outcome.decisions)
    assert (decisions[2].pass_no, decisions[3].pass_no, decisions[1].pass_no) == (1, 1, 2)
    assert decisions[1].reason == "選定（第2段階）：予算・受入枠に余裕・評点50・第1希望・残り枠0"
    assert outcome.objective == Objective(0, 2, 80, 20, 1, 50, 10, (3 + 2 + 1) * 10)  # all 1st choices


def test_ties_go_to_the_earlier_submitted_application():
    items = [Item(10, capacity=1, unit_cost=100), Item(11, capacity=1, unit_cost=100)]
    rules = Rules(budget=1000, max_first_pass=1, max_per_municipality=1)
    same_municipality = [cand(1, 101, 11, minutes=5), cand(2, 101, 10, minutes=1)]
    assert [d.application_id for d in optimise(same_municipality, items, rules) if d.menu_item_id] == [2]
    one_place = [cand(3, 102, 10, minutes=9), cand(4, 103, 10, minutes=2), cand(5, 104, 10, minutes=4)]
    assert [d.application_id for d in optimise(one_place, items[:1], rules) if d.menu_item_id] == [4]
    both_served = [cand(6, 105, 10, 11, minutes=7), cand(7, 106, 10, 11, minutes=3)]
    assert {d.application_id: d.choice_rank for d in optimise(both_served, items, rules)} == {6: 2, 7: 1}


def test_blocked_items_are_never_given_and_the_reason_says_so():
    items = [Item(10, capacity=2, unit_cost=100), Item(20, capacity=2, unit_cost=100)]
    candidates = [cand(1, 101, 10, 20, blocked_items=frozenset({10})), cand(2, 102, 10, blocked_items=frozenset({10}))]
    decisions = by_app(optimise(candidates, items, Rules(budget=1000)))
    assert decisions[1].menu_item_id == 20 and decisions[1].choice_rank == 2
    assert decisions[2].menu_item_id is None and decisions[2].reason == proposal.BLOCKED
    assert by_app(propose(candidates, items, Rules(budget=1000)))[2].reason == proposal.BLOCKED


def test_specific_reasons_for_not_selected():
    items = [Item(10, capacity=1, unit_cost=100), Item(20, capacity=5, unit_cost=900)]
    rules = Rules(budget=1000)
    candidates = [
        cand(1, 101, 10, is_pinned=True, pinned_item_id=10),  # pins item 10 (capacity gone)
        cand(2, 102, 10),  # only item 10: none left after the pin
        cand(3, 103, 20, is_excluded=True),
        cand(4, 101, 20),  # municipality 101 already has its engagement (the pin)
        cand(5, 104, 20, score=10), cand(6, 105, 20, score=5),  # one fits the budget left (900)
    ]
    decisions = by_app(optimise(candidates, items, rules))
    assert set(decisions) == {2, 3, 4, 5, 6}
    assert decisions[2].reason == proposal.NO_CAPACITY
    assert decisions[3].reason == proposal.EXCLUDED
    assert decisions[4].reason == proposal.MUNICIPALITY_CAP
    assert decisions[5].menu_item_id == 20 and decisions[6].reason == proposal.OVER_BUDGET


def test_edge_cases_never_raise():
    items = [Item(10, capacity=1, unit_cost=100)]
    assert optimise([], items, Rules(budget=100)) == []
    assert optimise_with_status([], [], Rules(budget=0)).objective == Objective()
    no_items = optimise([cand(1, 101, 10)], [], Rules(budget=100))
    assert no_items[0].menu_item_id is None and no_items[0].reason == proposal.NO_CAPACITY
    broke = optimise([cand(1, 101, 10)], items, Rules(budget=0))
    assert broke[0].reason == proposal.OVER_BUDGET
    free = optimise([cand(1, 101, 10)], [Item(10, capacity=1, unit_cost=0)], Rules(budget=0))
    assert free[0].menu_item_id == 10
    excluded = optimise([cand(1, 101, 10, is_excluded=True), cand(2, 102, 10, is_excluded=True)], items, Rules(budget=100))
    assert [d.reason for d in excluded] == [proposal.EXCLUDED] * 2


def test_deterministic():
    items = [Item(i, capacity=1 + i % 2, unit_cost=100 + 50 * (i % 3)) for i in range(1, 6)]
    candidates = [cand(a, 100 + a % 7, 1 + a % 5, 1 + (a * 2) % 5, 1 + (a * 3) % 5, score=a % 4 * 20) for a in range(1, 16)]
    candidates = [c for c in candidates if len(set(c.choices)) == 3]
    rules = Rules(budget=900)
    assert optimise(candidates, items, rules) == optimise(candidates, items, rules)


# --- properties ---------------------------------------------------------------------------------


@st.composite
def instances(draw):
    n_items = draw(st.integers(1, 3))
    items = [Item(10 + i, draw(st.integers(1, 2)), draw(st.sampled_from([0, 100, 200, 300]))) for i in range(n_items)]
    item_ids = [i.id for i in items] + [99] * (n_items < 3)  # 99: a choice not on the menu
    n_munis = draw(st.integers(1, 4))
    candidates = []
    for app_id in range(1, draw(st.integers(1, 6)) + 1):
        choices = tuple(draw(st.lists(st.sampled_from(item_ids), min_size=1, max_size=3, unique=True)))
        pinned = draw(st.booleans()) and draw(st.booleans())
        candidates.append(Candidate(
            application_id=app_id, municipality_id=100 + draw(st.integers(0, n_munis - 1)),
            submitted_at=T0 + dt.timedelta(minutes=draw(st.integers(0, 5))), choices=choices,
            is_priority=draw(st.booleans()), never_supported=draw(st.booleans()),
            is_pinned=pinned, pinned_item_id=draw(st.sampled_from([None, *choices])) if pinned else None,
            is_excluded=not pinned and draw(st.integers(0, 7)) == 7, score=draw(st.sampled_from([0, 40, 70, 100])),
            blocked_items=frozenset(draw(st.sampled_from([(), (), (), *[(i,) for i in choices]]))),
        ))
    first = draw(st.integers(0, 2))
    rules = Rules(budget=draw(st.sampled_from([0, 100, 300, 500, 1000])), max_first_pass=first,
                  max_per_municipality=draw(st.integers(1, 2)))
    return candidates, items, rules


def _value(candidates, items, rules, chosen: dict[int, int]) -> tuple:
    """The objective of the module docstring, computed independently of the optimiser."""
    by_id = {i.id: i for i in items}
    pins = [c for c in candidates if c.is_pinned and c.pinned_item_id in by_id]
    given = {c.application_id: c for c in candidates if c.application_id in chosen}
    served = {c.municipality_id for c in pins} | {c.municipality_id for c in given.values()}
    priority = {c.municipality_id for c in candidates if c.is_priority}
    totals = [0] * 5  # score, rank bonus, second pass, second score, second rank bonus
    open_ = sorted((c for c in candidates if not c.is_pinned), key=lambda c: (c.submitted_at, c.application_id))
    earliness = sum((len(open_) - position) * (11 - (c.choices.index(chosen[c.application_id]) + 1))
                    for position, c in enumerate(open_) if c.application_id in chosen)
    for m in {c.municipality_id for c in given.values()}:
        group = sorted((c for c in given.values() if c.municipality_id == m),
                       key=lambda c: (-c.score, c.choices.index(chosen[c.application_id]), c.application_id))
        k = max(0, min(rules.max_first_pass, rules.max_per_municipality) - sum(p.municipality_id == m for p in pins))
        for index, c in enumerate(group):
            bonus = 11 - (c.choices.index(chosen[c.application_id]) + 1)
            if index < k:
                totals[0] += c.score
                totals[1] += bonus
            else:
                totals[2:5] = [totals[2] + 1, totals[3] + c.score, totals[4] + bonus]
    return (len(served & priority), len(served), *totals, earliness)


def _violation(candidates, items, rules, chosen: dict[int, int]) -> str | None:
    """Which rule `chosen` (application id -> item id, non-pinned) plus the pins breaks, or None."""
    by_id = {i.id: i for i in items}
    by_app = {c.application_id: c for c in candidates}
    for app_id, item_id in chosen.items():
        c = by_app[app_id]
        if c.is_pinned or c.is_excluded or item_id not in c.choices or item_id in c.blocked_items or item_id not in by_id:
            return "not allowed"
    plan = [(by_app[a].municipality_id, i) for a, i in chosen.items()]
    pins = [(c.municipality_id, c.pinned_item_id) for c in candidates if c.is_pinned and c.pinned_item_id in by_id]
    pinned_items, pinned_munis = Counter(i for _m, i in pins), Counter(m for m, _i in pins)
    pinned_cost = sum(by_id[i].unit_cost for _m, i in pins)
    if any(n + pinned_items[i] > max(by_id[i].capacity, pinned_items[i]) for i, n in Counter(i for _m, i in plan).items()):
        return "capacity"
    if plan and sum(by_id[i].unit_cost for _m, i in plan) + pinned_cost > max(rules.budget, pinned_cost):
        return "budget"
    if any(n + pinned_munis[m] > max(rules.max_per_municipality, pinned_munis[m])
           for m, n in Counter(m for m, _i in plan).items()):
        return "municipality cap"
    return None


def _brute_force(candidates, items, rules) -> tuple:
    open_ = [c for c in candidates if not c.is_pinned]
    best = None
    for combo in itertools.product(*[[None, *c.choices] for c in open_]):
        chosen = {c.application_id: i for c, i in zip(open_, combo) if i is not None}
        if _violation(candidates, items, rules, chosen) is None:
            value = _value(candidates, items, rules, chosen)
            best = value if best is None or value > best else best
    return best


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_optimiser_is_feasible_optimal_and_explained(instance):
    candidates, items, rules = instance
    outcome = optimise_with_status(candidates, items, rules, time_limit=10)
    assert outcome.is_optimal
    decisions = outcome.decisions
    assert [d.application_id for d in decisions] == [c.application_id for c in candidates if not c.is_pinned]
    chosen = {d.application_id: d.menu_item_id for d in decisions if d.menu_item_id is not None}
    # (i) no constraint is ever violated
    assert _violation(candidates, items, rules, chosen) is None
    # (ii) the objective equals the brute-force optimum (and what the optimiser reports)
    assert tuple(outcome.objective) == _value(candidates, items, rules, chosen) == _brute_force(candidates, items, rules)
    assert objective_of(candidates, items, rules, decisions) == outcome.objective
    # (iii) never worse than the greedy baseline on the same input
    greedy = objective_of(candidates, items, rules, propose(candidates, items, rules))
    assert outcome.objective >= greedy and outcome.objective.priority_served >= greedy.priority_served
    # (iv) a reason on every decision, consistent with it
    _check_reasons(candidates, items, decisions)


def _check_reasons(candidates, items, decisions):
    by_app = {c.application_id: c for c in candidates}
    left = Counter({i.id: i.capacity for i in items})
    left.subtract(c.pinned_item_id for c in candidates if c.is_pinned and c.pinned_item_id in left)
    left.subtract(d.menu_item_id for d in decisions if d.menu_item_id is not None)
    for d in decisions:
        assert d.reason
        if d.menu_item_id is None:
            assert d.reason.startswith("非選定：") and d.choice_rank is None and d.pass_no is None
            assert d.reason != optimiser.NOT_CHOSEN
        else:
            assert d.reason.startswith("選定（第2段階）：" if d.pass_no == 2 else "選定：")
            assert d.choice_rank == by_app[d.application_id].choices.index(d.menu_item_id) + 1
            assert d.reason.endswith(f"第{d.choice_rank}希望・残り枠{max(0, left[d.menu_item_id])}")
