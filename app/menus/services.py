"""Menu services: providers propose items (支援メニューの提案), the operator adopts or rejects them
after review (審査・選定) and publishes the numbered menu, which is then frozen for the year
(digest §10.2, 001:232). Services flush, never commit, never read `flask.request`.

Importing this module registers the phase guard that keeps applications closed until the menu is
published (`app.calls.services.register_phase_guard`).
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.calls.models import Call
from app.calls.services import register_phase_guard
from app.calls.states import CallPhase
from app.core.audit import apply_transition, record_audit, record_transition
from app.core.conflicts import guard_version
from app.core.db import utcnow
from app.core.states import check_transition
from app.extensions import db
from app.menus.models import MenuItem, MenuProposal
from app.menus.queries import call_of, tenant_regions
from app.menus.states import TRANSITIONS, DeliveryFormat, ProposalState
from app.tenancy.labels import provider_label
from app.tenancy.models import Organisation, OrganisationKind, Tenant

EDITABLE_FIELDS = (
    "title", "categories", "description", "deliverables", "format", "regions_served", "capacity", "unit_cost_thousand_yen",
)
COPIED_FIELDS = EDITABLE_FIELDS + ("provider_id", "is_sample")
CONFLICT_LABELS = {"title": _l("件名"), "categories": _l("分類"), "description": _l("内容"), "deliverables": _l("成果物"),
                   "format": _l("実施形態"), "regions_served": _l("対応地域"), "capacity": _l("対応可能な市町村数"),
                   "unit_cost_thousand_yen": _l("1件あたりの費用（千円）")}


class MenuError(ValueError):
    """A proposal or the menu cannot be changed as asked (message is user-facing Japanese)."""


def transition_proposal(proposal: MenuProposal, to_state: ProposalState, *, actor, note: str = "") -> MenuProposal:
    """Move a proposal along `TRANSITIONS` (the only place that assigns `MenuProposal.state`).

    Side effects, in order: edge check (`TransitionError`); a rejection needs a reason
    (`MenuError`); `submitted_at`, `decided_at` and `decision_reason` follow the new state
    (back to SUBMITTED or DRAFT clears the decision); state set; history row and audit event.
    """
    check_transition("menu_proposal", TRANSITIONS, proposal.state, to_state)
    if to_state == ProposalState.REJECTED and not note.strip():
        raise MenuError("不採択の理由を入力してください。")
    if to_state in (ProposalState.ADOPTED, ProposalState.REJECTED):
        proposal.decided_at, proposal.decision_reason = utcnow(), note.strip()
    else:
        proposal.decided_at, proposal.decision_reason = None, ""
    if to_state == ProposalState.SUBMITTED and proposal.state == ProposalState.DRAFT:
        proposal.submitted_at = utcnow()
    return apply_transition("menu_proposal", proposal, to_state, actor=actor, note=note.strip())


def _require_phase(call: Call, phase: CallPhase, message: str) -> None:
    if call.phase != phase:
        raise MenuError(message)


def _clean_fields(tenant: Tenant, fields: dict) -> dict:
    """Validate proposal fields against the tenant's categories and regions (MenuError if bad)."""
    title = (fields.get("title") or "").strip()
    if not title or len(title) > 200:
        raise MenuError("件名を200文字以内で入力してください。")
    codes = {c["code"] for c in tenant.categories or []}
    categories = list(dict.fromkeys(fields.get("categories") or []))
    if not categories or not set(categories) <= codes:
        raise MenuError("分類を1つ以上、一覧から選んでください。")
    regions = list(dict.fromkeys(fields.get("regions_served") or []))
    if not set(regions) <= set(tenant_regions(tenant)):
        raise MenuError("対応地域は一覧から選んでください。")
    if not (fields.get("description") or "").strip():
        raise MenuError("内容を入力してください。")
    capacity, cost = fields.get("capacity"), fields.get("unit_cost_thousand_yen")
    if not isinstance(capacity, int) or capacity < 1:
        raise MenuError("対応可能な市町村数は1以上の整数で入力してください。")
    if not isinstance(cost, int) or cost < 0:
        raise MenuError("1件あたりの費用（千円）は0以上の整数で入力してください。")
    return {
        "title": title, "categories": categories, "regions_served": regions, "capacity": capacity,
        "unit_cost_thousand_yen": cost, "description": fields["description"].strip(),
        "deliverables": (fields.get("deliverables") or "").strip(), "format": DeliveryFormat(fields.get("format")),
    }


def propose_menu_item(call: Call, provider: Organisation, *, actor, title: str, categories: list[str], description: str,
                      deliverables: str, format: DeliveryFormat | str, regions_served: list[str], capacity: int,
                      unit_cost_thousand_yen: int, is_sample: bool = False) -> MenuProposal:
    """Create a DRAFT proposal of `provider` for `call`.

    `categories` are tenant category codes (at least one); `regions_served` tenant region names
    (empty = the whole prefecture); `capacity` municipalities (≥1); unit cost in 千円 per
    engagement (≥0). Raises `MenuError` when the call is not in PROPOSALS, `provider` is not a
    provider organisation of the call's tenant, or a field is invalid.
    """
    _require_phase(call, CallPhase.PROPOSALS, "現在、支援メニューの提案は受け付けていません。")
    if provider.kind != OrganisationKind.PROVIDER or provider.tenant_id != call.tenant_id:
        raise MenuError(f"提案できるのは{provider_label(db.session.get(Tenant, call.tenant_id))}のみです。")
    tenant = db.session.get(Tenant, call.tenant_id)
    values = _clean_fields(tenant, {
        "title": title, "categories": categories, "description": description, "deliverables": deliverables,
        "format": format, "regions_served": regions_served, "capacity": capacity,
        "unit_cost_thousand_yen": unit_cost_thousand_yen,
    })
    proposal = MenuProposal(tenant_id=call.tenant_id, call_id=call.id, provider_id=provider.id, is_sample=is_sample, **values)
    db.session.add(proposal)
    db.session.flush()
    record_transition("menu_proposal", proposal, None, ProposalState.DRAFT, actor=actor)
    return proposal


def _conflict_view(tenant: Tenant, fields: dict) -> dict:
    """`fields` as the conflict page shows them: category and format labels instead of codes."""
    labels = {c["code"]: c["label"] for c in tenant.categories or []}
    view = dict(fields)
    if "categories" in view:
        view["categories"] = [labels.get(code, code) for code in view["categories"] or []]
    if view.get("format") in {f.value for f in DeliveryFormat}:
        view["format"] = DeliveryFormat(view["format"]).label
    return view


def update_proposal(proposal: MenuProposal, *, actor, version_id: int | None = None, **fields) -> MenuProposal:
    """Change the fields of a DRAFT proposal (keys of `EDITABLE_FIELDS`; omitted keys keep their value).

    `version_id` is the version the form started from: when someone saved different content in
    between, raises `ConflictError` (the page that shows the other edit). Raises `MenuError`
    unless the proposal is a draft and its call is in PROPOSALS, or when a field is invalid (same
    rules as `propose_menu_item`).
    """
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    tenant = db.session.get(Tenant, proposal.tenant_id)
    guard_version(proposal, version_id, mine=_conflict_view(tenant, fields), labels=CONFLICT_LABELS,
                  theirs=lambda: _conflict_view(tenant, {k: getattr(proposal, k) for k in fields}))
    _require_editable(proposal)
    current = {name: getattr(proposal, name) for name in EDITABLE_FIELDS}
    values = _clean_fields(tenant, {**current, **fields})
    for name, value in values.items():
        setattr(proposal, name, value)
    db.session.flush()
    record_audit("menu_proposal.update", tenant_id=proposal.tenant_id, actor=actor, target=proposal,
                 changes={k: str(v) for k, v in fields.items()})
    return proposal


def _require_editable(proposal: MenuProposal) -> None:
    _require_phase(call_of(proposal), CallPhase.PROPOSALS, "提案の受付期間が終了しているため、変更できません。")
    if proposal.state != ProposalState.DRAFT:
        raise MenuError("提出済みの提案は変更できません。")


def submit_proposal(proposal: MenuProposal, *, actor) -> MenuProposal:
    """DRAFT → SUBMITTED. Raises `MenuError` when the call is no longer in PROPOSALS, and
    `TransitionError` when the proposal is not a draft."""
    _require_phase(call_of(proposal), CallPhase.PROPOSALS, "提案の受付期間が終了しているため、提出できません。")
    return transition_proposal(proposal, ProposalState.SUBMITTED, actor=actor)


def withdraw_proposal(proposal: MenuProposal, *, actor) -> MenuProposal:
    """SUBMITTED → DRAFT (the provider takes a submitted proposal back to edit it).

    Only while the call is in PROPOSALS, i.e. before any review (`MenuError` otherwise).
    """
    _require_phase(call_of(proposal), CallPhase.PROPOSALS, "提案の受付期間が終了しているため、提出を取り消せません。")
    return transition_proposal(proposal, ProposalState.DRAFT, actor=actor, note="提出を取り消し")


def _require_decidable(call: Call) -> None:
    if call.menu_is_frozen:
        raise MenuError("支援メニューは公開済みのため、採否を変更できません。")
    _require_phase(call, CallPhase.MENU_REVIEW, "採否は支援メニュー審査・選定の期間中にのみ決定できます。")


def decide_proposal(proposal: MenuProposal, *, actor, adopt: bool, reason: str) -> MenuItem | None:
    """Adopt (SUBMITTED → ADOPTED, creating an unnumbered `MenuItem` that copies the proposal)
    or reject (SUBMITTED → REJECTED; `reason` required and kept for the provider).

    Raises `MenuError` outside MENU_REVIEW, once the menu is published, or for a rejection
    without reason; `TransitionError` when the proposal is not SUBMITTED. Returns the item or None.
    """
    _require_decidable(call_of(proposal))
    to_state = ProposalState.ADOPTED if adopt else ProposalState.REJECTED
    transition_proposal(proposal, to_state, actor=actor, note=reason)
    if not adopt:
        return None
    item = MenuItem(tenant_id=proposal.tenant_id, call_id=proposal.call_id, proposal_id=proposal.id,
                    **{name: _copy(getattr(proposal, name)) for name in COPIED_FIELDS})
    db.session.add(item)
    db.session.flush()
    return item


def _copy(value):
    return list(value) if isinstance(value, list) else value


def undo_decision(proposal: MenuProposal, *, actor) -> MenuProposal:
    """ADOPTED/REJECTED → SUBMITTED, deleting the unpublished `MenuItem` of an adopted proposal.

    Raises `MenuError` outside MENU_REVIEW, once the menu is published (frozen), or when the
    proposal has no decision.
    """
    _require_decidable(call_of(proposal))
    if proposal.state not in (ProposalState.ADOPTED, ProposalState.REJECTED):
        # DRAFT -> SUBMITTED is also an edge, but only the provider may submit its draft.
        raise MenuError("採否が決定していない提案です。")
    was_adopted = proposal.state == ProposalState.ADOPTED
    transition_proposal(proposal, ProposalState.SUBMITTED, actor=actor, note="採否の決定を取り消し")
    if was_adopted:
        item = db.session.scalar(sa.select(MenuItem).where(MenuItem.tenant_id == proposal.tenant_id,
                                                            MenuItem.proposal_id == proposal.id))
        if item is not None:
            db.session.delete(item)
            db.session.flush()
    return proposal


def publish_menu(call: Call, *, actor) -> list[MenuItem]:
    """Number the adopted items 1..n and publish the menu of `call` (001:232: 34 items in FY2024).

    Numbering follows the order in which items were adopted (`MenuItem.id`). Sets
    `call.menu_published_at`; from then on decisions cannot change (the menu is frozen). Writes
    the audit event `menu.publish`. Raises `MenuError` outside MENU_REVIEW, when the menu is
    already published, or when no item is adopted. Returns the items in number order.
    """
    if call.menu_is_frozen:
        raise MenuError("支援メニューは既に公開されています。")
    _require_phase(call, CallPhase.MENU_REVIEW, "支援メニューは審査・選定の期間中に公開してください。")
    items = list(db.session.scalars(
        sa.select(MenuItem).where(MenuItem.tenant_id == call.tenant_id, MenuItem.call_id == call.id).order_by(MenuItem.id)
    ))
    if not items:
        raise MenuError("採択された提案がないため、支援メニューを公開できません。")
    for number, item in enumerate(items, start=1):
        item.number = number
    call.menu_published_at = utcnow()
    db.session.flush()
    record_audit("menu.publish", tenant_id=call.tenant_id, actor=actor, target=call, changes={"items": len(items)})
    return items


def _menu_published_guard(call: Call) -> str | None:
    """Applications open only once the menu is published (product.md §4: menu, then 募集)."""
    if call.menu_published_at is None:
        return "支援メニューを公開してから申込受付を開始してください。"
    return None


register_phase_guard(CallPhase.APPLICATIONS, _menu_published_guard)
