"""The allocation optimiser of annual calls (issue 3 item 2; product.md §5), pure like `proposal.py`.

Same contract as `proposal.propose`: the input is `Candidate`/`Item`/`Rules`, the output is one
`Decision` per non-pinned candidate, each with a reason a person can read. Pinned candidates consume
capacity, budget (千円) and their municipality's quota first and are not returned; excluded ones are
never selected; a candidate's `blocked_items` (declared relationships) are never given.

Constraints: each application gets at most one item, and only one of its own choices; an item's
capacity; the total budget (千円, `unit_cost` per engagement); at most `rules.max_per_municipality`
engagements per municipality, of which at most `rules.max_first_pass` are first-pass ones.

Objective, lexicographic, in this order (`Objective` fields; pinned engagements count in (a) and
(b) only, and use up their municipality's first-pass slots):

(a) `priority_served`: distinct priority municipalities served (a municipality is priority when
    any of its candidates `is_priority`; 001:170);
(b) `served`: distinct municipalities served (coverage goal, 001:165);
(c) quality of the first-pass engagements: (c1) `score`, the sum of their applications' review
    scores, then (c2) `rank_bonus`, the sum of `11 − choice rank` (1st choice 10 … 10th choice 1);
(d) the second pass, using what budget and capacity remain: (d1) `second_pass`, the number of
    second-pass engagements, then (d2) `second_score` and (d3) `second_rank_bonus`, as in (c);
(e) `earliness`, the tie-break that makes equal allocations defensible: the sum over the selected
    non-pinned applications of `(N − position) × (11 − rank)`, position 0 being the earliest
    submitted of the `N` (by submission time, then application id) — among equals, the earlier
    applicant is selected and gets the better of its choices (first come, first served).

Which engagements of a municipality are first-pass: its best `k` by (score desc, rank asc,
application id asc), `k` = `min(max_first_pass, max_per_municipality)` minus its pinned
engagements; the rest are second-pass (`pass_no` 2). This is the labelling that maximises (c), so
the value of an allocation is a function of the allocation alone (`objective_of`), which is what
the brute-force tests enumerate.

Why CP-SAT (OR-Tools) and not PuLP/CBC or the greedy: OR-Tools is maintained by Google with
frequent releases and wheels for every platform (no external solver binary); CP-SAT proves an exact
integer optimum (no floating-point tolerances on 0/1 variables), takes the lexicographic objective
as a sequence of solves in which each optimum is fixed as a constraint, and solves the
national-scale instance (≈5,000 booleans, `flask bench allocation`) to proven optimality in
seconds; PuLP would need CBC, a separate binary with its own tolerances. With one worker and a fixed random seed it is deterministic: the same
input gives the same allocation (needed to defend and re-run it). The greedy (`proposal.propose`)
is kept as the baseline: it cannot reroute a contested item, so it can serve fewer municipalities.
"""
from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from ortools.sat.python import cp_model

from app.selection import proposal
from app.selection.proposal import Candidate, Decision, Item, Rules

MAX_RANK_BONUS = 11  # rank bonus = 11 − rank (ranks are 1..10, ApplicationChoice rank_range)
NOT_CHOSEN = "非選定：時間内に最適解を確定できず"  # only when the solver stopped at the time limit


class Objective(NamedTuple):
    """The lexicographic objective of an allocation, compared as a tuple (module docstring)."""

    priority_served: int = 0
    served: int = 0
    score: int = 0
    rank_bonus: int = 0
    second_pass: int = 0
    second_score: int = 0
    second_rank_bonus: int = 0
    earliness: int = 0


@dataclass(frozen=True)
class Outcome:
    """`decisions` (one per non-pinned candidate), whether every stage was proven optimal, the
    objective of the allocation and the solver's wall time in seconds."""

    decisions: list[Decision]
    is_optimal: bool
    objective: Objective
    seconds: float


def rank_bonus(rank: int) -> int:
    """11 − rank, at least 1: the better the rank, the larger (quality (c2), module docstring)."""
    return max(1, MAX_RANK_BONUS - rank)


class _Problem:
    """The instance once pins are taken out: what is left and which (rank, item) each candidate may get."""

    def __init__(self, candidates: list[Candidate], items: list[Item], rules: Rules):
        self.rules = rules
        self.items = {i.id: i for i in items}
        self.pinned = [c for c in candidates if c.is_pinned and c.pinned_item_id in self.items]
        pinned_items = Counter(c.pinned_item_id for c in self.pinned)
        self.pinned_per_m = Counter(c.municipality_id for c in self.pinned)
        self.capacity_after_pins = {i.id: max(0, i.capacity - pinned_items[i.id]) for i in items}
        self.budget_after_pins = max(0, rules.budget - sum(self.items[c.pinned_item_id].unit_cost for c in self.pinned))
        self.open = [c for c in candidates if not c.is_pinned]
        self.priority = {c.municipality_id for c in candidates if c.is_priority}
        self.options = {c.application_id: self._options(c) for c in self.open}
        by_time = sorted(self.open, key=lambda c: (c.submitted_at, c.application_id))
        self.earliness = {c.application_id: len(by_time) - position for position, c in enumerate(by_time)}

    def _options(self, candidate: Candidate) -> list[tuple[int, int]]:
        if candidate.is_excluded or self.cap(candidate.municipality_id) == 0:
            return []
        seen, options = set(), []
        for rank, item_id in enumerate(candidate.choices, start=1):
            if item_id in self.items and item_id not in candidate.blocked_items and item_id not in seen:
                seen.add(item_id)
                options.append((rank, item_id))
        return options

    def cap(self, municipality_id: int) -> int:
        """Engagements the municipality may still get."""
        return max(0, self.rules.max_per_municipality - self.pinned_per_m[municipality_id])

    def first_slots(self, municipality_id: int) -> int:
        """First-pass engagements the municipality may still get (`k` in the module docstring)."""
        first = min(self.rules.max_first_pass, self.rules.max_per_municipality)
        return max(0, first - self.pinned_per_m[municipality_id])


def _passes(problem: _Problem, chosen: dict[int, tuple[int, int]]) -> dict[int, int]:
    """pass_no of each chosen application: its municipality's best `k` are 1, the others 2."""
    by_app = {c.application_id: c for c in problem.open}
    per_m: dict[int, list[Candidate]] = defaultdict(list)
    for app_id in chosen:
        per_m[by_app[app_id].municipality_id].append(by_app[app_id])
    passes = {}
    for municipality_id, group in per_m.items():
        group.sort(key=lambda c: (-c.score, chosen[c.application_id][0], c.application_id))
        k = problem.first_slots(municipality_id)
        for index, candidate in enumerate(group):
            passes[candidate.application_id] = 1 if index < k else 2
    return passes


def _objective(problem: _Problem, chosen: dict[int, tuple[int, int]]) -> Objective:
    by_app = {c.application_id: c for c in problem.open}
    served = {c.municipality_id for c in problem.pinned} | {by_app[a].municipality_id for a in chosen}
    totals = Counter()
    for app_id, pass_no in _passes(problem, chosen).items():
        prefix = "" if pass_no == 1 else "second_"
        totals[prefix + "score"] += by_app[app_id].score
        totals[prefix + "rank_bonus"] += rank_bonus(chosen[app_id][0])
        totals["second_pass"] += pass_no == 2
        totals["earliness"] += problem.earliness[app_id] * rank_bonus(chosen[app_id][0])
    return Objective(priority_served=len(served & problem.priority), served=len(served), **totals)


def objective_of(candidates: list[Candidate], items: list[Item], rules: Rules, decisions: list[Decision]) -> Objective:
    """The `Objective` of a set of decisions (e.g. the greedy's) on the same input; ranks are
    recomputed from the candidates' choices, pass numbers by the labelling of the module docstring."""
    problem = _Problem(candidates, items, rules)
    choices = {c.application_id: c.choices for c in candidates}
    chosen = {}
    for decision in decisions:
        if decision.menu_item_id is not None:
            rank = choices[decision.application_id].index(decision.menu_item_id) + 1
            chosen[decision.application_id] = (rank, decision.menu_item_id)
    return _objective(problem, chosen)


def optimise(candidates: list[Candidate], items: list[Item], rules: Rules, *, time_limit: float = 60.0) -> list[Decision]:
    """The optimal allocation (module docstring) as one `Decision` per non-pinned candidate, in
    input order. See `optimise_with_status` for whether optimality was proven."""
    return optimise_with_status(candidates, items, rules, time_limit=time_limit).decisions


def optimise_with_status(candidates: list[Candidate], items: list[Item], rules: Rules, *, time_limit: float = 60.0,
                         seed: int = 0) -> Outcome:
    """Solve stage by stage, fixing each optimum: (a)+(b), (c1)+(c2), (d1), (d2)+(d3), (e) (each pair
    merged exactly, `_merge`); `time_limit` in seconds for all stages together.

    Deterministic for a given input and `seed` (one worker) when no stage hits the time
    limit. When a stage stops at the limit its best value is kept as a bound, later stages still
    run and `Outcome.is_optimal` is False. Never raises on empty input, budget 0 or all excluded.
    """
    started = time.perf_counter()
    problem = _Problem(candidates, items, rules)
    chosen, is_optimal = _solve(problem, time_limit, seed)
    decisions = _decisions(problem, chosen, is_optimal)
    return Outcome(decisions, is_optimal, _objective(problem, chosen), time.perf_counter() - started)


def _solve(problem: _Problem, time_limit: float, seed: int) -> tuple[dict[int, tuple[int, int]], bool]:
    """The chosen (rank, item id) per application id, and whether it is proven optimal."""
    model = cp_model.CpModel()
    first, second = _variables(model, problem)
    if not first and not second:
        return {}, True
    chosen_vars = {k: [v for v in (first.get(k), second.get(k)) if v is not None] for k in dict.fromkeys([*first, *second])}
    served = _constraints(model, problem, first, chosen_vars)
    score = {c.application_id: c.score for c in problem.open}
    stages = [  # (coefficient, BoolVar) terms of (a), (b), (c1), (c2), (d1), (d2), (d3), (e)
        [(1, served[m]) for m in served if m in problem.priority],
        [(1, v) for v in served.values()],
        [(score[a], v) for (a, _r, _i), v in first.items() if score[a]],
        [(rank_bonus(r), v) for (_a, r, _i), v in first.items()],
        [(1, v) for v in second.values()],
        [(score[a], v) for (a, _r, _i), v in second.items() if score[a]],
        [(rank_bonus(r), v) for (_a, r, _i), v in second.items()],
        [(problem.earliness[a] * rank_bonus(r), v) for (a, r, _i), v in [*first.items(), *second.items()]],
    ]
    groups = [stages[0:2], stages[2:4], stages[4:5], stages[5:7], stages[7:8]]
    values = _lexicographic(model, groups, [*first.values(), *second.values(), *served.values()], time_limit, seed)
    chosen = {}
    for (app_id, rank, item_id), vs in chosen_vars.items():
        if any(values[v.index] for v in vs):
            chosen[app_id] = (rank, item_id)
    return chosen, values["optimal"]


def _variables(model: cp_model.CpModel, problem: _Problem) -> tuple[dict, dict]:
    """`first` and `second`: (application id, rank, item id) -> BoolVar "given as a first-pass /
    second-pass engagement", created only where the municipality has such slots left."""
    first, second = {}, {}
    for candidate in problem.open:
        m = candidate.municipality_id
        for rank, item_id in problem.options[candidate.application_id]:
            key = (candidate.application_id, rank, item_id)
            if problem.first_slots(m) > 0:
                first[key] = model.new_bool_var(f"f{key}")
            if problem.cap(m) > problem.first_slots(m):
                second[key] = model.new_bool_var(f"s{key}")
    return first, second


def _constraints(model: cp_model.CpModel, problem: _Problem, first: dict, chosen_vars: dict) -> dict:
    """One item per application, capacity, budget (千円), per-municipality caps; returns the
    `served[m]` BoolVars (at most 1 when m gets an engagement) of municipalities no pin serves."""
    muni = {c.application_id: c.municipality_id for c in problem.open}
    per_app, per_item, per_m_first, per_m_all = (defaultdict(list) for _ in range(4))
    for (app_id, _rank, item_id), vs in chosen_vars.items():
        per_app[app_id] += vs
        per_item[item_id] += vs
        per_m_all[muni[app_id]] += vs
    for (app_id, _rank, _item), var in first.items():
        per_m_first[muni[app_id]].append(var)
    for vs in per_app.values():
        model.add(sum(vs) <= 1)
    for item_id, vs in per_item.items():
        model.add(sum(vs) <= problem.capacity_after_pins[item_id])
    model.add(sum(problem.items[i].unit_cost * v for (_a, _r, i), vs in chosen_vars.items() for v in vs)
              <= problem.budget_after_pins)
    for m, vs in per_m_all.items():
        model.add(sum(vs) <= problem.cap(m))
        model.add(sum(per_m_first[m]) <= problem.first_slots(m))
    served_by_pin = {c.municipality_id for c in problem.pinned}
    served = {m: model.new_bool_var(f"served{m}") for m in per_m_all if m not in served_by_pin}
    for m, var in served.items():
        model.add(var <= sum(per_m_all[m]))
    return served


def _merge(major: list, minor: list) -> list:
    """One objective ordering like (major, minor) lexicographically: major × (max of minor + 1) + minor.

    Exact because every coefficient is ≥ 0, so minor lies in [0, Σ its coefficients]; it saves a
    solve (each costs a presolve) without changing the optimum.
    """
    weight = sum(c for c, _v in minor) + 1
    return [(c * weight, v) for c, v in major] + minor


def _lexicographic(model: cp_model.CpModel, groups: list, all_vars: list, time_limit: float, seed: int) -> dict:
    """Maximise each group of stages in turn (merged exactly, `_merge`), then fix each stage of the
    group at its value (== when proven optimal, else >=): separate small equalities propagate far
    better than one with the merged coefficients.

    One worker, fixed seed, LP relaxation with cuts (`linearization_level` 2: the assignment and
    budget constraints make the LP bound nearly tight, which is what proves the optimum quickly).
    Returns `{var index: 0/1, "optimal": every stage proven optimal}`.
    """
    deadline = time.perf_counter() + time_limit
    values = {v.index: 0 for v in all_vars}  # the empty allocation is always feasible
    is_optimal = True
    for group in groups:
        terms = _merge(*group) if len(group) == 2 else group[0]
        if not terms:
            continue
        model.maximize(sum(c * v for c, v in terms))
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        solver.parameters.linearization_level = 2
        solver.parameters.root_lp_iterations = 100_000
        solver.parameters.max_time_in_seconds = max(0.1, deadline - time.perf_counter())
        status = solver.solve(model)
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            values = {v.index: solver.value(v) for v in all_vars}
        is_optimal = is_optimal and status == cp_model.OPTIMAL
        for stage in (stage for stage in group if stage):
            expr, best = sum(c * v for c, v in stage), sum(c * values[v.index] for c, v in stage)
            model.add(expr == best) if status == cp_model.OPTIMAL else model.add(expr >= best)
    model.clear_objective()
    return {**values, "optimal": is_optimal}


def _decisions(problem: _Problem, chosen: dict[int, tuple[int, int]], is_optimal: bool) -> list[Decision]:
    """A `Decision` with its reason for every non-pinned candidate, in input order."""
    by_app = {c.application_id: c for c in problem.open}
    capacity_left = dict(problem.capacity_after_pins)
    budget_left = problem.budget_after_pins
    per_m = Counter(problem.pinned_per_m)
    for app_id, (_rank, item_id) in chosen.items():
        capacity_left[item_id] -= 1
        budget_left -= problem.items[item_id].unit_cost
        per_m[by_app[app_id].municipality_id] += 1
    passes = _passes(problem, chosen)
    decisions = []
    for candidate in problem.open:
        app_id = candidate.application_id
        if app_id in chosen:
            rank, item_id = chosen[app_id]
            reason = proposal.selected_reason(candidate, passes[app_id], rank, capacity_left[item_id], problem.rules)
            decisions.append(Decision(app_id, item_id, rank, passes[app_id], reason))
        else:
            reason = _rejection_reason(problem, candidate, capacity_left, budget_left, per_m, is_optimal)
            decisions.append(Decision(app_id, None, None, None, reason))
    return decisions


def _rejection_reason(problem: _Problem, candidate: Candidate, capacity_left: dict[int, int], budget_left: int,
                      per_m: Counter, is_optimal: bool) -> str:
    """The specific cause, checked in this order: exclusion, relationships, the municipality cap,
    capacity (none at all after pins, or given to candidates ranked higher by the objective), budget."""
    valid = [i for i in dict.fromkeys(candidate.choices) if i in problem.items]
    unblocked = [i for i in valid if i not in candidate.blocked_items]
    if candidate.is_excluded:
        return proposal.EXCLUDED
    if valid and not unblocked:
        return proposal.BLOCKED
    if per_m[candidate.municipality_id] >= problem.rules.max_per_municipality:
        return proposal.MUNICIPALITY_CAP
    with_room = [i for i in unblocked if capacity_left[i] > 0]
    if not with_room:
        if all(problem.capacity_after_pins[i] == 0 for i in unblocked):
            return proposal.NO_CAPACITY
        return proposal.CAPACITY_TO_OTHERS
    if all(problem.items[i].unit_cost > budget_left for i in with_room):
        return proposal.OVER_BUDGET
    return NOT_CHOSEN  # unreachable at a proven optimum: giving it would improve the objective (tests)
