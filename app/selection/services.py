"""Selection services (選定・決定): propose an allocation by the call's rules, let the operator adjust
it, confirm it (decisions and engagements). The algorithm itself is `proposal.py`; this module
maps rows to it and back. Services flush, never commit, never read `flask.request`.
"""
from __future__ import annotations

from collections import Counter

import sqlalchemy as sa
from flask_babel import gettext as _

from app.applications.models import Application
from app.applications.queries import applications_of_call, priority_flags, published_menu_items
from app.applications.services import transition_application
from app.applications.states import ApplicationState
from app.calls.models import Call
from app.calls.services import register_phase_guard
from app.calls.states import CallPhase
from app.core.audit import apply_transition, record_audit
from app.core.db import utcnow
from app.core.states import check_transition
from app.decisions.services import issue_decision_notices
from app.engagements.models import Engagement
from app.engagements.services import assign_engagement
from app.extensions import db
from app.menus.models import MenuItem
from app.relationships.services import blocked_items, relationship_problem
from app.reviews.queries import NEUTRAL_SCORE, review_averages
from app.selection import optimiser, proposal
from app.selection.models import Allocation, Selection
from app.selection.queries import lock_selection, selection_of
from app.selection.rules import fit_problem, problem_message, rules_of
from app.selection.states import TRANSITIONS, SelectionState
from app.tenancy.models import Tenant

# Inside a web request: a prefecture-size call solves in milliseconds; a national one in seconds.
SOLVER_SECONDS = 20.0
MANUAL_SELECTED = "選定：事務局が調整・第{rank}希望"
MANUAL_NOT_SELECTED = "非選定：事務局が調整"


class SelectionError(ValueError):
    """The selection cannot be proposed, adjusted or confirmed as asked (user-facing Japanese)."""


class SelectionConflict(SelectionError):
    """Someone else changed the selection since the page was shown (stale page, concurrency)."""


def _check_version(row, expected_version: int | None) -> None:
    if expected_version is not None and row.version_id != expected_version:
        raise SelectionConflict(_("他の担当者が先に選定を変更しました。画面を再読み込みして最新の内容を確認してから、もう一度操作してください。"))


def transition_selection(selection: Selection, to_state: SelectionState, *, actor, note: str = "") -> Selection:
    """Move `selection` along `TRANSITIONS` (the only place that assigns `Selection.state`).

    Side effects, in order: edge check (`TransitionError`); on confirmation `confirmed_by_id` and
    `confirmed_at` record who confirmed it and when (公正性, digest §10.4); state set; history row
    and audit event written.
    """
    check_transition("selection", TRANSITIONS, selection.state, to_state)
    if to_state == SelectionState.CONFIRMED:
        selection.confirmed_by_id = getattr(actor, "id", None)
        selection.confirmed_at = utcnow()
    return apply_transition("selection", selection, to_state, actor=actor, note=note)


def _require_changeable(call: Call, selection: Selection | None) -> None:
    if call.phase != CallPhase.SELECTION:
        raise SelectionError(_("選定は「選定・決定」フェーズの間だけ行えます。"))
    if selection is not None and selection.state != SelectionState.DRAFT:
        raise SelectionError(_("選定は確定済みのため変更できません。"))


def _items(tenant, call: Call) -> dict[int, MenuItem]:
    return {item.id: item for item in published_menu_items(tenant, call)}


def _plain_items(items: dict[int, MenuItem]) -> list[proposal.Item]:
    return [proposal.Item(i.id, i.capacity, i.unit_cost_thousand_yen) for i in items.values()]


def _sync_allocations(tenant, call: Call, selection: Selection) -> dict[int, Allocation]:
    """One allocation per submitted application (new ones added, stale ones removed)."""
    submitted = {a.id: a for a in applications_of_call(tenant, call, state=ApplicationState.SUBMITTED)}
    allocations = {a.application_id: a for a in selection.allocations}
    for application_id in set(allocations) - set(submitted):
        selection.allocations.remove(allocations.pop(application_id))
    for application_id in set(submitted) - set(allocations):
        allocations[application_id] = Allocation(tenant_id=tenant.id, application=submitted[application_id])
        selection.allocations.append(allocations[application_id])
    db.session.flush()
    return allocations


def _candidates(tenant, call: Call, allocations: dict[int, Allocation]) -> list[proposal.Candidate]:
    """One `proposal.Candidate` per allocation: priority flags (001:170), average review score
    (unreviewed: `NEUTRAL_SCORE`), pins and exclusions, and items blocked by a declared relationship."""
    history, priority = priority_flags(tenant, call, {a.application.municipality_id for a in allocations.values()})
    reviewed, blocked = review_averages(tenant, call), blocked_items(tenant, call)
    candidates = []
    for allocation in allocations.values():
        application = allocation.application
        municipality_id = application.municipality_id
        allocation.is_priority = municipality_id in priority
        candidates.append(proposal.Candidate(
            application_id=application.id, municipality_id=municipality_id, submitted_at=application.submitted_at,
            choices=tuple(c.menu_item_id for c in application.choices), is_priority=allocation.is_priority,
            never_supported=not any(y < call.fiscal_year for y in history[municipality_id]),
            is_pinned=allocation.is_pinned, pinned_item_id=allocation.menu_item_id, is_excluded=allocation.is_excluded,
            score=reviewed.get(application.id, NEUTRAL_SCORE), is_reviewed=application.id in reviewed,
            blocked_items=blocked.get(municipality_id, frozenset()),
        ))
    return candidates


def propose_selection(call: Call, *, actor) -> Selection:
    """Build (or rebuild) the proposed allocation of `call` over its submitted applications.

    Pinned allocations are kept and consume capacity and budget first; excluded applications are
    never selected; every other decision is replaced by the optimiser's (`optimiser.optimise`:
    priority municipalities, then distinct municipalities, then quality, then the second pass;
    product.md §5). Creates the selection on first use. Raises `SelectionError` outside 選定・決定
    or once confirmed. The audit event records whether the solver proved the result optimal.
    """
    tenant = db.session.get(Tenant, call.tenant_id)
    selection = selection_of(tenant, call)
    selection = lock_selection(selection) if selection is not None else None
    _require_changeable(call, selection)
    if selection is None:
        selection = Selection(tenant_id=call.tenant_id, call_id=call.id)
        db.session.add(selection)
        db.session.flush()
    allocations = _sync_allocations(tenant, call, selection)
    items = _items(tenant, call)
    outcome = optimiser.optimise_with_status(_candidates(tenant, call, allocations), _plain_items(items), rules_of(call),
                                             time_limit=SOLVER_SECONDS)
    decisions = outcome.decisions
    for decision in decisions:
        allocation = allocations[decision.application_id]
        allocation.menu_item = items.get(decision.menu_item_id) if decision.menu_item_id else None
        allocation.choice_rank, allocation.pass_no, allocation.reason = decision.choice_rank, decision.pass_no, decision.reason
    selection.proposed_at = utcnow()
    db.session.flush()
    record_audit("selection.propose", tenant_id=call.tenant_id, actor=actor, target=selection, changes={
        "applications": len(allocations), "selected": sum(1 for a in allocations.values() if a.menu_item_id),
        "solver": "cp-sat", "optimal": outcome.is_optimal, "objective": list(outcome.objective),
        "decisions": {str(d.application_id): d.menu_item_id for d in decisions},
    })
    return selection


def _usage(selection: Selection, items: dict[int, MenuItem], *, besides: Allocation) -> tuple[Counter, int, Counter]:
    """Engagements per item, cost (千円) and engagements per municipality of all other allocations."""
    per_item, per_municipality, cost = Counter(), Counter(), 0
    for other in selection.allocations:
        if other is besides or other.menu_item_id is None:
            continue
        per_item[other.menu_item_id] += 1
        per_municipality[other.application.municipality_id] += 1
        cost += items[other.menu_item_id].unit_cost_thousand_yen if other.menu_item_id in items else 0
    return per_item, cost, per_municipality


def _snapshot(allocation: Allocation) -> dict:
    return {"menu_item_id": allocation.menu_item_id, "is_pinned": allocation.is_pinned, "is_excluded": allocation.is_excluded}


def adjust_allocation(allocation: Allocation, *, actor, menu_item: MenuItem | None, is_pinned: bool,
                      is_excluded: bool, expected_version: int | None = None) -> Allocation:
    """Operator's change of one decision: give one of the application's choices or none (非選定),
    pin it (kept by later proposals) or exclude the application (事務局判断).

    Raises `SelectionError` (nothing changed) outside 選定・決定 or once confirmed, for pin and
    exclude together, an item that is not one of the application's choices, or when the item would
    exceed its capacity, the budget (千円) or the per-municipality cap; `SelectionConflict` when
    `expected_version` (the allocation's version shown on the page) is stale.
    """
    selection, application = lock_selection(allocation.selection), allocation.application
    call = application.call
    _check_version(allocation, expected_version)
    _require_changeable(call, selection)
    if is_pinned and is_excluded:
        raise SelectionError(_("固定と除外は同時に指定できません。"))
    menu_item = None if is_excluded else menu_item
    ranks = {c.menu_item_id: c.rank for c in application.choices}
    if menu_item is not None and menu_item.id not in ranks:
        raise SelectionError(_("申込の希望にない支援メニューは選べません。"))
    decision_changed = (menu_item.id if menu_item else None) != allocation.menu_item_id or is_excluded != allocation.is_excluded
    if menu_item is not None and menu_item.id != allocation.menu_item_id:
        problem = relationship_problem(application, menu_item)
        if problem:
            raise SelectionError(problem)
        _check_fits(allocation, menu_item, call)
    before = _snapshot(allocation)
    if decision_changed:
        _apply_manual(allocation, menu_item, ranks, is_excluded)
    allocation.is_pinned, allocation.is_excluded = is_pinned, is_excluded
    selection.updated_at = utcnow()  # bumps the selection's version: concurrent adjustments conflict
    db.session.flush()
    record_audit("allocation.adjust", tenant_id=allocation.tenant_id, actor=actor, target=allocation,
                 changes={"before": before, "after": _snapshot(allocation), "reason": allocation.reason})
    return allocation


def _check_fits(allocation: Allocation, menu_item: MenuItem, call: Call) -> None:
    items = _items(db.session.get(Tenant, call.tenant_id), call)
    per_item, cost, per_municipality = _usage(allocation.selection, items, besides=allocation)
    problem = fit_problem(call, menu_item, items_used=per_item, cost_used=cost,
                          municipality_count=per_municipality[allocation.application.municipality_id])
    if problem:
        raise SelectionError(problem)


def _apply_manual(allocation: Allocation, menu_item: MenuItem | None, ranks: dict[int, int], is_excluded: bool) -> None:
    allocation.menu_item = menu_item
    allocation.choice_rank = ranks[menu_item.id] if menu_item else None
    allocation.pass_no = None
    if is_excluded:
        allocation.reason = proposal.EXCLUDED
    else:
        allocation.reason = MANUAL_SELECTED.format(rank=allocation.choice_rank) if menu_item else MANUAL_NOT_SELECTED


def confirm_selection(selection: Selection, *, actor, expected_version: int | None = None) -> list[Engagement]:
    """Confirm the selection (確定): each application becomes 選定 or 非選定 and each selected one
    gets its engagement with the item's provider (`assign_engagement`).

    Side effects, in order: row lock on the selection; checks (`SelectionConflict` when
    `expected_version` — the version the operator saw — is stale; `SelectionError`: wrong phase,
    confirmed, no proposal, the applications changed since the proposal, or the plan breaks
    capacity/budget/cap); selection →
    確定 with who and when; applications decided; engagements created; audit event. Returns the
    engagements created.
    """
    selection = lock_selection(selection)
    tenant = db.session.get(Tenant, selection.tenant_id)
    call = db.session.scalar(sa.select(Call).where(Call.id == selection.call_id, Call.tenant_id == selection.tenant_id))
    if selection.state == SelectionState.CONFIRMED and expected_version is not None:
        raise SelectionConflict(_("他の担当者が先にこの選定を確定しました。画面を再読み込みしてください。"))
    _check_version(selection, expected_version)
    _require_changeable(call, selection)
    if selection.proposed_at is None:
        raise SelectionError(_("選定案を作成してから確定してください。"))
    allocations = sorted(selection.allocations, key=lambda a: a.id)
    submitted = {a.id for a in applications_of_call(tenant, call, state=ApplicationState.SUBMITTED)}
    if submitted != {a.application_id for a in allocations}:
        raise SelectionError(_("選定案の作成後に申込が変わりました。選定案を作り直してください。"))
    items = _items(tenant, call)
    plan = [(a.application.municipality_id, a.menu_item_id) for a in allocations if a.menu_item_id]
    problem = proposal.plan_violation(plan, _plain_items(items), rules_of(call))
    if problem:
        raise SelectionError(problem_message(problem, call))
    transition_selection(selection, SelectionState.CONFIRMED, actor=actor)
    engagements = [_decide(call, a, items, actor) for a in allocations]
    issue_decision_notices(selection, actor=actor)
    record_audit("selection.confirm", tenant_id=selection.tenant_id, actor=actor, target=selection,
                 changes={"selected": len(plan), "applications": len(allocations)})
    return [e for e in engagements if e is not None]


def _decide(call: Call, allocation: Allocation, items: dict[int, MenuItem], actor) -> Engagement | None:
    application: Application = allocation.application
    if allocation.menu_item_id is None:
        transition_application(application, ApplicationState.NOT_SELECTED, actor=actor, note=allocation.reason)
        return None
    transition_application(application, ApplicationState.SELECTED, actor=actor, note=allocation.reason)
    return assign_engagement(call=call, application=application, menu_item=items[allocation.menu_item_id], actor=actor)


def _selection_confirmed_guard(call: Call) -> str | None:
    """Support may not start while submitted applications await an unconfirmed selection."""
    submitted = db.session.scalar(sa.select(sa.func.count(Application.id)).where(
        Application.tenant_id == call.tenant_id, Application.call_id == call.id,
        Application.state == ApplicationState.SUBMITTED))
    if submitted:
        return _("選定を確定してから支援実施に進んでください。")
    return None


register_phase_guard(CallPhase.SUPPORT, _selection_confirmed_guard)
