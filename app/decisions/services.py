"""Decision services (決定): issue decision notices (決定通知), let the provider decline an
assignment (辞退), and promote (繰上げ) a waitlisted application into freed capacity.

Notices are stored as data (`DecisionNotice.lines`) and shown in the app; e-mail delivery is the
outbox's (issue 6), which can mail them later from these rows. Services flush, never commit, never
read `flask.request`.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _

from app.applications.models import Application
from app.applications.services import transition_application
from app.applications.states import ApplicationState
from app.calls.models import Call
from app.calls.states import CallPhase
from app.core.audit import record_audit
from app.core.clock import today_jst
from app.core.db import utcnow
from app.core.wareki import fiscal_year_label
from app.decisions import waitlist as wl
from app.decisions.models import DecisionNotice
from app.decisions.states import NoticeKind, NoticeOccasion
from app.engagements.models import Engagement
from app.engagements.services import assign_engagement, decline_engagement
from app.engagements.states import EngagementState
from app.extensions import db
from app.menus.models import MenuItem
from app.relationships.services import relationship_problem
from app.selection.models import Allocation, Selection
from app.selection.queries import lock_selection, selection_of
from app.selection.rules import fit_problem
from app.selection.states import SelectionState
from app.tenancy.models import Tenant

RESPOND_WITHIN_DAYS = 14  # providers accept or decline their assignment within 14 days
PROMOTABLE_PHASES = (CallPhase.SELECTION, CallPhase.SUPPORT)


class DecisionError(ValueError):
    """The decision cannot be made as asked (user-facing Japanese)."""


def notice_title(tenant, call: Call) -> str:
    """「令和6年度 ICTアドバイザー市町村派遣事業 決定通知書」 with the tenant's program name."""
    return f"{fiscal_year_label(call.fiscal_year)} {tenant.name} 決定通知書"


def _item_label(item: MenuItem) -> str:
    return f"No.{item.number} {item.title}" if item.number else item.title


def _notice(tenant, call: Call, recipient_id: int, kind: NoticeKind, occasion: NoticeOccasion, lines: list[dict],
            *, actor, is_sample: bool) -> DecisionNotice:
    respond_by = today_jst() + dt.timedelta(days=RESPOND_WITHIN_DAYS) if kind == NoticeKind.PROVIDER else None
    notice = DecisionNotice(tenant_id=tenant.id, call_id=call.id, recipient_id=recipient_id, kind=kind, occasion=occasion,
                            title=notice_title(tenant, call), lines=lines, respond_by=respond_by, issued_at=utcnow(),
                            issued_by_id=getattr(actor, "id", None), is_sample=is_sample)
    db.session.add(notice)
    return notice


def _municipality_line(allocation: Allocation, positions: dict[int, int], engagement: Engagement | None) -> dict:
    item = allocation.menu_item
    return {
        "application_id": allocation.application_id,
        "outcome": "selected" if item else "not_selected",
        "menu_item": _item_label(item) if item else "",
        "provider": engagement.provider.name if engagement else (item.provider.name if item else ""),
        "reason": allocation.reason,
        "waitlist_position": positions.get(allocation.application_id),
    }


def _provider_line(engagement: Engagement, reason: str) -> dict:
    return {"engagement_id": engagement.id, "municipality": engagement.municipality.name,
            "menu_item": _item_label(engagement.menu_item), "reason": reason}


def issue_decision_notices(selection: Selection, *, actor) -> list[DecisionNotice]:
    """Issue the notices of a confirmed selection: one per municipality (each application 選定 with
    item, provider and reason, or 非選定 with reason and waitlist position) and one per provider (its
    assigned engagements to accept or decline within 14 days).

    Call it from `confirm_selection` after the engagements are created. Raises `DecisionError`
    unless the selection is confirmed, or when its notices were already issued (once per call).
    Audited (`decision.notices`). Returns the notices (flushed).
    """
    if selection.state != SelectionState.CONFIRMED:
        raise DecisionError(_("選定を確定してから決定通知を発行してください。"))
    tenant = db.session.get(Tenant, selection.tenant_id)
    call = db.session.scalar(sa.select(Call).where(Call.id == selection.call_id, Call.tenant_id == tenant.id))
    if db.session.scalar(sa.select(DecisionNotice.id).where(
            DecisionNotice.tenant_id == tenant.id, DecisionNotice.call_id == call.id,
            DecisionNotice.occasion == NoticeOccasion.CONFIRMATION).limit(1)):
        raise DecisionError(_("この選定の決定通知は発行済みです。"))
    engagements = {e.application_id: e for e in db.session.scalars(sa.select(Engagement).where(
        Engagement.tenant_id == tenant.id, Engagement.call_id == call.id, Engagement.application_id.is_not(None)))}
    positions = {e.application.id: e.position for e in wl.waitlist(tenant, call)}
    by_municipality, by_provider = defaultdict(list), defaultdict(list)
    for allocation in sorted(selection.allocations, key=lambda a: a.application_id):
        engagement = engagements.get(allocation.application_id)
        by_municipality[allocation.application.municipality_id].append(_municipality_line(allocation, positions, engagement))
        if engagement is not None and engagement.state == EngagementState.ASSIGNED:
            by_provider[engagement.provider_id].append(_provider_line(engagement, allocation.reason))
    notices = [_notice(tenant, call, m, NoticeKind.MUNICIPALITY, NoticeOccasion.CONFIRMATION, lines, actor=actor,
                       is_sample=call.is_sample) for m, lines in by_municipality.items()]
    notices += [_notice(tenant, call, p, NoticeKind.PROVIDER, NoticeOccasion.CONFIRMATION, lines, actor=actor,
                        is_sample=call.is_sample) for p, lines in by_provider.items()]
    db.session.flush()
    record_audit("decision.notices", tenant_id=tenant.id, actor=actor, target=selection,
                 changes={"municipalities": len(by_municipality), "providers": len(by_provider)})
    return notices


def mark_notice_read(notice: DecisionNotice, *, actor) -> DecisionNotice:
    """The recipient confirms it has read the notice (受領確認); the first time only is kept."""
    if notice.read_at is None:
        notice.read_at, notice.read_by_id = utcnow(), getattr(actor, "id", None)
        db.session.flush()
        record_audit("decision.notice_read", tenant_id=notice.tenant_id, actor=actor, target=notice)
    return notice


def _allocation_of(application_id: int, tenant_id: int) -> Allocation | None:
    return db.session.scalar(sa.select(Allocation).where(Allocation.application_id == application_id,
                                                         Allocation.tenant_id == tenant_id))


def decline_assignment(engagement: Engagement, *, actor, reason: str) -> list[wl.Proposal]:
    """The provider declines its assignment (辞退) with `reason`; the capacity is freed.

    Side effects, in order: engagement ASSIGNED → DECLINED (`EngagementError` without a reason,
    `TransitionError` unless ASSIGNED); the application's allocation no longer holds the item
    (reason 「辞退：…」, so the selection totals stay true); audit event naming the proposed next
    candidates. Returns the proposals for the freed item, best first (the operator promotes one on
    the waitlist page).
    """
    decline_engagement(engagement, actor=actor, reason=reason)
    allocation = _allocation_of(engagement.application_id, engagement.tenant_id) if engagement.application_id else None
    if allocation is not None and allocation.menu_item_id == engagement.menu_item_id:
        label = _item_label(engagement.menu_item)
        allocation.menu_item, allocation.choice_rank, allocation.pass_no = None, None, None
        allocation.reason = f"辞退：{label}（{engagement.provider.name}）・{reason.strip()}"
    db.session.flush()
    tenant = db.session.get(Tenant, engagement.tenant_id)
    call = db.session.scalar(sa.select(Call).where(Call.id == engagement.call_id, Call.tenant_id == tenant.id))
    proposals = wl.proposals_for(tenant, call, engagement.menu_item)
    record_audit("engagement.decline", tenant_id=tenant.id, actor=actor, target=engagement, changes={
        "menu_item_id": engagement.menu_item_id, "next": [p.entry.application.id for p in proposals[:3]]})
    return proposals


def _promotion_problem(tenant, call: Call, application: Application, item: MenuItem) -> str | None:
    """Why `application` may not be promoted to `item` now (Japanese), or None."""
    selection = selection_of(tenant, call)
    if call.phase not in PROMOTABLE_PHASES or selection is None or selection.state != SelectionState.CONFIRMED:
        return _("繰上げは選定の確定後、「選定・決定」または「支援実施」フェーズの間だけ行えます。")
    if application.call_id != call.id or application.state != ApplicationState.NOT_SELECTED:
        return _("非選定の申込だけを繰上げできます。")
    allocation = _allocation_of(application.id, tenant.id)
    if allocation is not None and allocation.is_excluded:
        return _("除外（事務局判断）とした申込は繰上げできません。")
    if item.call_id != call.id or item.id not in {c.menu_item_id for c in application.choices}:
        return _("申込の希望にない支援メニューは選べません。")
    per_item, cost, per_municipality = wl.usage(tenant, call)
    return fit_problem(call, item, items_used=per_item, cost_used=cost,
                       municipality_count=per_municipality[application.municipality_id]) \
        or relationship_problem(application, item)


def promote_application(call: Call, application: Application, menu_item: MenuItem, *, actor) -> Engagement:
    """Promote (繰上げ) a waitlisted application to `menu_item`: it becomes 選定 and gets an
    engagement with the item's provider.

    Raises `DecisionError` (nothing changed) outside 選定・決定/支援実施 or before confirmation, for an
    application not 非選定 or excluded, an item not among its choices, or when capacity, the budget
    (千円, minus counted engagements), the per-municipality cap or a declared relationship forbids
    it. Side effects, in order: the selection's version is bumped (two operators promoting at once
    conflict); application NOT_SELECTED → SELECTED; engagement created (ASSIGNED); allocation row
    「選定（繰上げ）：…」; notices to the municipality and the provider; audit event.
    """
    tenant = db.session.get(Tenant, call.tenant_id)
    selection = selection_of(tenant, call)
    if selection is not None:
        selection = lock_selection(selection)  # serialises promotions: the checks below see the other's result
    problem = _promotion_problem(tenant, call, application, menu_item)
    if problem:
        raise DecisionError(problem)
    entry = next((e for e in wl.waitlist(tenant, call) if e.application.id == application.id), None)
    rank = next(c.rank for c in application.choices if c.menu_item_id == menu_item.id)
    reason = wl.candidate_reason(entry, rank, call.priority_lookback_years, wl.PROMOTED_PREFIX) if entry \
        else f"{wl.PROMOTED_PREFIX}：第{rank}希望"
    selection.updated_at = utcnow()  # version bump: a concurrent promotion of the same call conflicts
    transition_application(application, ApplicationState.SELECTED, actor=actor, note=reason)
    engagement = assign_engagement(call=call, application=application, menu_item=menu_item, actor=actor)
    allocation = _allocation_of(application.id, tenant.id)
    if allocation is not None:
        allocation.menu_item, allocation.choice_rank, allocation.pass_no, allocation.reason = menu_item, rank, None, reason
    _notice(tenant, call, application.municipality_id, NoticeKind.MUNICIPALITY, NoticeOccasion.PROMOTION, [{
        "application_id": application.id, "outcome": "selected", "menu_item": _item_label(menu_item),
        "provider": menu_item.provider.name, "reason": reason, "waitlist_position": None}],
        actor=actor, is_sample=application.is_sample)
    _notice(tenant, call, menu_item.provider_id, NoticeKind.PROVIDER, NoticeOccasion.PROMOTION,
            [_provider_line(engagement, reason)], actor=actor, is_sample=application.is_sample)
    db.session.flush()
    record_audit("application.promote", tenant_id=tenant.id, actor=actor, target=application, changes={
        "menu_item_id": menu_item.id, "engagement_id": engagement.id, "reason": reason})
    return engagement
