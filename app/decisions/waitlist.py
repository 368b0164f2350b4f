"""The waitlist (補欠) of a confirmed selection and the freed capacity it may fill.

After confirmation the applications decided 非選定 (and not excluded by the operator) are the
waitlist, in the order of the selection rules: priority municipalities (not supported in the past
N years, 001:170) first, then never supported at all (coverage goal, 001:165), then the average
review score (`reviews.queries.review_averages`; unreviewed ranks as neutral), then the earliest
submitted. For one freed menu item the better choice rank of that item comes before the submission time.

Capacity and budget here are live: an item's capacity minus the engagements of the call that count
(`engagements.states.COUNTED`: a declined or cancelled one does not), and the call's budget (千円)
minus the cost of those engagements. Pure reads; nothing here writes.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.applications.models import Application
from app.applications.queries import applications_of_call, priority_flags, published_menu_items
from app.applications.states import ApplicationState
from app.calls.models import Call
from app.engagements.models import Engagement
from app.engagements.states import COUNTED, EngagementState
from app.extensions import db
from app.menus.models import MenuItem
from app.relationships.services import blocked_items
from app.reviews.queries import NEUTRAL_SCORE, review_averages
from app.selection.models import Allocation

PROMOTION_PREFIX = "繰上げ候補"
PROMOTED_PREFIX = "選定（繰上げ）"
PRIORITY = "過去{years}年間支援なし（優先）"
NEVER_SUPPORTED = "支援実績なし"

@dataclass
class WaitlistEntry:
    """One waitlisted application; `position` is 1-based in the whole waitlist of the call."""

    application: Application
    position: int
    is_priority: bool
    never_supported: bool
    score: float | None = None  # average review score; None when nobody reviewed it

    @property
    def rank_score(self) -> float:
        """The score used for ordering: unreviewed applications rank as `NEUTRAL_SCORE`."""
        return NEUTRAL_SCORE if self.score is None else self.score


@dataclass
class Proposal:
    """The next best waitlisted application for one item: its choice `rank` of the item and why."""

    entry: WaitlistEntry
    rank: int
    reason: str


@dataclass
class Slot:
    """Free capacity on one item of the call, the declined engagements that freed it, and the
    proposals for it (best first; empty when nobody on the waitlist fits)."""

    item: MenuItem
    free: int
    declined: list[Engagement] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)


def _allocations(tenant, call: Call) -> dict[int, Allocation]:
    stmt = (sa.select(Allocation).join(Application, Application.id == Allocation.application_id)
            .where(Allocation.tenant_id == tenant.id, Application.call_id == call.id))
    return {a.application_id: a for a in db.session.scalars(stmt)}


def waitlist(tenant, call: Call) -> list[WaitlistEntry]:
    """The waitlist of `call`: its 非選定 applications not excluded by the operator, in rule order
    (priority, never supported, review score, submission time). Empty before confirmation."""
    allocations = _allocations(tenant, call)
    waiting = [a for a in applications_of_call(tenant, call, state=ApplicationState.NOT_SELECTED)
               if not (allocations.get(a.id) and allocations[a.id].is_excluded)]
    history, priority = priority_flags(tenant, call, {a.municipality_id for a in waiting})
    scores = review_averages(tenant, call)  # unreviewed: no score in the reason, ranked as neutral
    entries = [WaitlistEntry(a, 0, a.municipality_id in priority,
                             not any(y < call.fiscal_year for y in history[a.municipality_id]), scores.get(a.id))
               for a in waiting]
    entries.sort(key=lambda e: (not e.is_priority, not e.never_supported, -e.rank_score, e.application.submitted_at,
                                e.application.id))
    for position, entry in enumerate(entries, start=1):
        entry.position = position
    return entries


def counted_engagements(tenant, call: Call) -> list[Engagement]:
    """Engagements of `call` that use capacity and budget (not declined or cancelled)."""
    return list(db.session.scalars(sa.select(Engagement).where(
        Engagement.tenant_id == tenant.id, Engagement.call_id == call.id, Engagement.state.in_(COUNTED))))


def usage(tenant, call: Call) -> tuple[Counter, int, Counter]:
    """`(engagements per item id, cost 千円, engagements per municipality id)` of the counted
    engagements of `call`."""
    engagements = counted_engagements(tenant, call)
    return (Counter(e.menu_item_id for e in engagements), sum(e.cost_thousand_yen for e in engagements),
            Counter(e.municipality_id for e in engagements))


def budget_left(tenant, call: Call) -> int:
    """The call's budget (千円) minus the cost of its counted engagements."""
    return call.budget_thousand_yen - usage(tenant, call)[1]


def candidate_reason(entry: WaitlistEntry, rank: int, lookback_years: int, prefix: str = PROMOTION_PREFIX) -> str:
    """「繰上げ候補：過去2年間支援なし（優先）・第2希望」 (or with `PROMOTED_PREFIX` once promoted)."""
    details = [PRIORITY.format(years=lookback_years)] if entry.is_priority else []
    details += [NEVER_SUPPORTED] if entry.never_supported else []
    details += [f"審査点{entry.score:g}"] if entry.score is not None else []
    return prefix + "：" + "・".join([*details, f"第{rank}希望"])


def proposals_for(tenant, call: Call, item: MenuItem, *, entries: list[WaitlistEntry] | None = None) -> list[Proposal]:
    """Waitlisted applications that may take `item` now, best first: they chose it, its provider has
    no declared relationship with them, their municipality is under the per-municipality cap and
    the item's cost fits the budget left (千円). Empty when the item has no free capacity."""
    per_item, cost, per_municipality = usage(tenant, call)
    if per_item[item.id] >= item.capacity or cost + item.unit_cost_thousand_yen > call.budget_thousand_yen:
        return []
    blocked = blocked_items(tenant, call)
    found = []
    for entry in entries if entries is not None else waitlist(tenant, call):
        application = entry.application
        rank = next((c.rank for c in application.choices if c.menu_item_id == item.id), None)
        if rank is None or item.id in blocked.get(application.municipality_id, ()):
            continue
        if per_municipality[application.municipality_id] >= call.max_engagements_per_municipality:
            continue
        found.append(Proposal(entry, rank, candidate_reason(entry, rank, call.priority_lookback_years)))
    found.sort(key=lambda p: (not p.entry.is_priority, not p.entry.never_supported, -p.entry.rank_score, p.rank,
                              p.entry.application.submitted_at, p.entry.application.id))
    return found


def open_slots(tenant, call: Call) -> list[Slot]:
    """Items of `call` with free capacity (by number), each with its declined engagements and its
    proposals from the waitlist."""
    per_item = usage(tenant, call)[0]
    declined: dict[int, list[Engagement]] = {}
    for e in db.session.scalars(sa.select(Engagement).where(
            Engagement.tenant_id == tenant.id, Engagement.call_id == call.id,
            Engagement.state == EngagementState.DECLINED).order_by(Engagement.id)):
        declined.setdefault(e.menu_item_id, []).append(e)
    entries = waitlist(tenant, call)
    slots = []
    for item in published_menu_items(tenant, call):
        free = item.capacity - per_item[item.id]
        if free > 0:
            slots.append(Slot(item, free, declined.get(item.id, []), proposals_for(tenant, call, item, entries=entries)))
    return slots
