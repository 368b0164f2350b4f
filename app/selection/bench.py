"""`flask bench allocation`: the optimiser and the greedy baseline on the same call (issue 3 item 8).

A benchmark, not a test: it reads a call's submitted applications, menu and rules the way
`services.propose_selection` does (its `_candidates`, `_plain_items`, and `rules.rules_of`, read-only:
allocations are transient and the session is rolled back), runs `proposal.propose` and
`optimiser.optimise_with_status`, and reports wall times and objective values. The last line is
`allocation optimal=<yes|no> seconds=<s> served=<n> greedy_served=<m> priority_served=<p>
greedy_priority_served=<q>`.
"""
from __future__ import annotations

import dataclasses
import random
import time

import sqlalchemy as sa

from app.applications.queries import applications_of_call
from app.applications.states import ApplicationState
from app.calls.models import Call
from app.extensions import db
from app.selection import optimiser, proposal, services
from app.selection.rules import rules_of
from app.selection.models import Allocation
from app.tenancy.models import Tenant
from app.tenancy.scoping import tenant_scope


class BenchError(ValueError):
    """No such tenant or call to benchmark."""


def load_instance(tenant: Tenant, call: Call) -> tuple[list[proposal.Candidate], list[proposal.Item], proposal.Rules]:
    """Candidates, items and rules of `call` as `propose_selection` builds them (pins and
    exclusions of an existing selection are ignored: every submitted application is open)."""
    submitted = applications_of_call(tenant, call, state=ApplicationState.SUBMITTED)
    allocations = {a.id: Allocation(tenant_id=tenant.id, application=a) for a in submitted}
    candidates = services._candidates(tenant, call, allocations)
    return candidates, services._plain_items(services._items(tenant, call)), rules_of(call)


def with_scores(candidates: list[proposal.Candidate], seed: int = 7) -> list[proposal.Candidate]:
    """Reviewer scores 30..100 drawn (seeded, by application id) for candidates nobody reviewed, so
    the quality stage is exercised: the synthetic call has no reviews."""
    rng = random.Random(seed)
    drawn = {c.application_id: rng.randint(30, 100) for c in sorted(candidates, key=lambda c: c.application_id)}
    return [c if c.is_reviewed else dataclasses.replace(c, score=drawn[c.application_id], is_reviewed=True)
            for c in candidates]


def run(slug: str, fiscal_year: int | None = None, *, time_limit: float = 60.0, scores: bool = True) -> list[str]:
    """Benchmark the call of `fiscal_year` (default: the newest) of tenant `slug`; returns the
    lines to print. Raises `BenchError` for an unknown tenant or call. Writes nothing."""
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise BenchError(f"no tenant '{slug}' (run `flask seed synthetic` first)")
    try:
        with tenant_scope(tenant.id):
            stmt = sa.select(Call).where(Call.tenant_id == tenant.id).order_by(Call.fiscal_year.desc())
            if fiscal_year is not None:
                stmt = stmt.where(Call.fiscal_year == fiscal_year)
            call = db.session.scalars(stmt.limit(1)).first()
            if call is None:
                raise BenchError(f"tenant '{slug}' has no call" + (f" for FY{fiscal_year}" if fiscal_year else ""))
            candidates, items, rules = load_instance(tenant, call)
            return _compare(call, candidates if not scores else with_scores(candidates), items, rules, time_limit)
    finally:
        db.session.rollback()


def _compare(call: Call, candidates: list, items: list, rules: proposal.Rules, time_limit: float) -> list[str]:
    started = time.perf_counter()
    greedy = proposal.propose(candidates, items, rules)
    greedy_seconds = time.perf_counter() - started
    greedy_value = optimiser.objective_of(candidates, items, rules, greedy)
    outcome = optimiser.optimise_with_status(candidates, items, rules, time_limit=time_limit)
    value = outcome.objective
    priority = {c.municipality_id for c in candidates if c.is_priority}
    cost = {i.id: i.unit_cost for i in items}
    municipalities = len({c.municipality_id for c in candidates})
    return [
        f"call FY{call.fiscal_year}: {len(candidates)} applications, {municipalities} municipalities "
        + f"({len(priority)} priority), {len(items)} menu items, budget {rules.budget:,}千円",
        _line("greedy", greedy_seconds, greedy_value, greedy, cost),
        _line("optimiser", outcome.seconds, value, outcome.decisions, cost)
        + f" optimal={'yes' if outcome.is_optimal else 'no'}",
        (f"allocation optimal={'yes' if outcome.is_optimal else 'no'} seconds={outcome.seconds:.2f} "
         f"served={value.served} greedy_served={greedy_value.served} priority_served={value.priority_served} "
         f"greedy_priority_served={greedy_value.priority_served}"),
    ]


def _line(name: str, seconds: float, value: optimiser.Objective, decisions: list, cost: dict[int, int]) -> str:
    given = [d.menu_item_id for d in decisions if d.menu_item_id is not None]
    fields = " ".join(f"{k}={v}" for k, v in value._asdict().items())
    return f"{name}: {seconds:.2f}s engagements={len(given)} cost={sum(cost[i] for i in given):,}千円 {fields}"
