"""The rule-based selection proposal (product.md §5), as pure functions over small dataclasses.

No database, no Flask: `services.py` maps rows to `Candidate`/`Item`/`Rules` and writes the
returned `Decision`s back, so this module can be unit-tested. `propose` is the greedy baseline;
`optimiser.optimise` takes the same input and returns the same `Decision`s (reasons built here).

Rules (Fukushima defaults, tenant.toml): priority to municipalities not supported in the past N
years (001:170), then to those never supported at all (coverage goal, 001:165), then first
submitted; one engagement per municipality in the first pass (003:1625), more in a second pass
while budget and capacity remain (FY2024: 45 projects in 41 municipalities, 001:221).
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

# Reasons are stored with the allocation as the record of why (公正性, digest §10.4).
SELECTED = "選定"
SELECTED_SECOND = "選定（第2段階）"
PRIORITY = "過去{years}年間支援なし（優先）"
SECOND_PASS = "予算・受入枠に余裕"
NEVER_SUPPORTED = "支援実績なし"
NO_CAPACITY = "非選定：希望メニューの受入枠なし"
OVER_BUDGET = "非選定：予算上限"
MUNICIPALITY_CAP = "非選定：1市町村あたりの上限"
EXCLUDED = "非選定：除外（事務局判断）"
BLOCKED = "非選定：希望メニューの提供者と利害関係あり"  # declared relationships (product.md §5)
CAPACITY_TO_OTHERS = "非選定：受入枠をより優先度の高い申込に配分"
SCORE = "評点{score}"


@dataclass(frozen=True)
class Item:
    """A published menu item: `capacity` municipalities at `unit_cost` 千円 each."""

    id: int
    capacity: int
    unit_cost: int


@dataclass(frozen=True)
class Candidate:
    """A submitted application. `choices` are menu item ids, first choice first.

    A pinned candidate keeps `pinned_item_id` (None = pinned as not selected) and consumes its
    capacity and budget before anyone else; an excluded one is never selected. `score` is the
    reviewers' quality score of the application (integer 0..100, higher is better); when
    `is_reviewed` is False it is a neutral stand-in for an application nobody scored, used by the
    optimiser but not shown in reasons.
    `blocked_items` are menu item ids whose provider declared a relationship with the municipality
    (e.g. its incumbent vendor): never given to this application (product.md §5).
    """

    application_id: int
    municipality_id: int
    submitted_at: dt.datetime
    choices: tuple[int, ...]
    is_priority: bool = False
    never_supported: bool = False
    is_pinned: bool = False
    pinned_item_id: int | None = None
    is_excluded: bool = False
    score: int = 0
    is_reviewed: bool = True
    blocked_items: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Rules:
    """Per-call rules: engagements per municipality in pass 1 and overall, budget in 千円."""

    budget: int
    max_first_pass: int = 1
    max_per_municipality: int = 1
    lookback_years: int = 2


@dataclass(frozen=True)
class Decision:
    """The outcome for one application: the item given (None = not selected), its rank, pass and why."""

    application_id: int
    menu_item_id: int | None
    choice_rank: int | None
    pass_no: int | None
    reason: str


@dataclass
class _Ledger:
    """What is left while deciding: capacity per item, budget (千円), engagements per municipality."""

    items: dict[int, Item]
    capacity_left: dict[int, int]
    budget_left: int
    per_municipality: Counter = field(default_factory=Counter)

    def take(self, item_id: int, municipality_id: int) -> None:
        self.capacity_left[item_id] -= 1
        self.budget_left -= self.items[item_id].unit_cost
        self.per_municipality[municipality_id] += 1


def order_key(candidate: Candidate) -> tuple:
    """Sort key: priority first, then never supported at all, then earliest submitted."""
    return (not candidate.is_priority, not candidate.never_supported, candidate.submitted_at, candidate.application_id)


def propose(candidates: list[Candidate], items: list[Item], rules: Rules) -> list[Decision]:
    """Decide every non-pinned candidate (pinned ones are kept by the caller as they are), greedily.

    The baseline of `optimiser.optimise`: candidates in `order_key` order take their best-ranked
    choice that still fits, first pass then second pass; blocked items are never given.
    Returns one `Decision` per non-pinned candidate, in processing order. Never exceeds an item's
    capacity, the budget or `rules.max_per_municipality` beyond what pinned decisions already use.
    """
    ledger = _opening_ledger(candidates, items, rules)
    open_ = sorted((c for c in candidates if not c.is_pinned), key=order_key)
    decided: dict[int, Decision] = {}
    first_cap = min(rules.max_first_pass, rules.max_per_municipality)
    for pass_no, cap in ((1, first_cap), (2, rules.max_per_municipality)):
        for candidate in open_:
            if candidate.application_id in decided or candidate.is_excluded:
                continue
            if ledger.per_municipality[candidate.municipality_id] >= cap:
                continue
            pick = _best_choice(candidate, ledger)
            if pick is not None:
                rank, item_id = pick
                ledger.take(item_id, candidate.municipality_id)
                reason = selected_reason(candidate, pass_no, rank, ledger.capacity_left[item_id], rules)
                decided[candidate.application_id] = Decision(candidate.application_id, item_id, rank, pass_no, reason)
    return [decided.get(c.application_id) or _rejection(c, ledger, rules) for c in open_]


def _opening_ledger(candidates: list[Candidate], items: list[Item], rules: Rules) -> _Ledger:
    ledger = _Ledger({i.id: i for i in items}, {i.id: i.capacity for i in items}, rules.budget)
    for candidate in candidates:
        if candidate.is_pinned and candidate.pinned_item_id in ledger.items:
            ledger.take(candidate.pinned_item_id, candidate.municipality_id)
    return ledger


def _best_choice(candidate: Candidate, ledger: _Ledger) -> tuple[int, int] | None:
    """(rank, item id) of the best-ranked choice with capacity and budget left, or None."""
    for rank, item_id in enumerate(candidate.choices, start=1):
        item = ledger.items.get(item_id)
        if item is None or item_id in candidate.blocked_items:
            continue
        if ledger.capacity_left[item_id] > 0 and item.unit_cost <= ledger.budget_left:
            return rank, item_id
    return None


def selected_reason(candidate: Candidate, pass_no: int, rank: int, left: int, rules: Rules) -> str:
    """「選定：過去2年間支援なし（優先）・第1希望・残り枠2」 or 「選定（第2段階）：予算・受入枠に余裕・…」.

    `left` is the capacity left on the item; a reviewed application's score above 0 is shown as 「評点85」.
    """
    if pass_no == 2:
        details = [SECOND_PASS]
    else:
        details = [PRIORITY.format(years=rules.lookback_years)] if candidate.is_priority else []
        details += [NEVER_SUPPORTED] if candidate.never_supported else []
    details += [SCORE.format(score=candidate.score)] if candidate.is_reviewed and candidate.score > 0 else []
    details += [f"第{rank}希望", f"残り枠{left}"]
    return (SELECTED_SECOND if pass_no == 2 else SELECTED) + "：" + "・".join(details)


def _rejection(candidate: Candidate, ledger: _Ledger, rules: Rules) -> Decision:
    """Why a candidate got nothing: exclusion, relationships, the municipality cap, capacity, or the budget."""
    valid = [i for i in candidate.choices if i in ledger.items]
    if candidate.is_excluded:
        reason = EXCLUDED
    elif valid and all(i in candidate.blocked_items for i in valid):
        reason = BLOCKED
    elif ledger.per_municipality[candidate.municipality_id] >= rules.max_per_municipality:
        reason = MUNICIPALITY_CAP
    elif any(ledger.capacity_left.get(i, 0) > 0 for i in valid if i not in candidate.blocked_items):
        reason = OVER_BUDGET
    else:
        reason = NO_CAPACITY
    return Decision(candidate.application_id, None, None, None, reason)


CAPACITY, BUDGET, CAP = "capacity", "budget", "municipality_cap"


def adjustment_problem(item: Item | None, *, items_used: Counter, cost_used: int, municipality_count: int,
                       rules: Rules) -> str | None:
    """Which rule giving `item` to one application breaks (`CAPACITY`, `BUDGET`, `CAP`), or None.

    The usage arguments describe every other allocation of the selection (not the one adjusted):
    engagements per item id, total cost (千円), and engagements of the same municipality.
    """
    if item is None:
        return None
    if items_used[item.id] + 1 > item.capacity:
        return CAPACITY
    if cost_used + item.unit_cost > rules.budget:
        return BUDGET
    if municipality_count + 1 > rules.max_per_municipality:
        return CAP
    return None


def plan_violation(assignments: list[tuple[int, int]], items: list[Item], rules: Rules) -> str | None:
    """Which rule a whole plan breaks (`CAPACITY`, `BUDGET`, `CAP`), or None when it fits.

    `assignments` are the selected (municipality id, item id) pairs; checked again at
    confirmation so that a plan over capacity, budget or the per-municipality cap is never confirmed.
    """
    by_id = {i.id: i for i in items}
    per_item = Counter(item_id for _m, item_id in assignments)
    if any(item_id not in by_id or n > by_id[item_id].capacity for item_id, n in per_item.items()):
        return CAPACITY
    if sum(by_id[item_id].unit_cost for _m, item_id in assignments) > rules.budget:
        return BUDGET
    if any(n > rules.max_per_municipality for n in Counter(m for m, _i in assignments).values()):
        return CAP
    return None
