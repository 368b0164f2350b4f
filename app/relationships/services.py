"""Provider–municipality relationships (利害関係): declare, withdraw, and what they block.

A provider's staff or the operator declares that a provider has a relationship with a municipality
(e.g. 現行システムの受託事業者), with a reason; while it stands, the provider's menu items are never
given to that municipality — neither by the optimiser (`blocked_items`, passed as
`Candidate.blocked_items`), nor by the operator's manual adjustment (`relationship_problem`), nor
by a promotion from the waitlist (product.md §5 conflicts of interest; 公正性・中立性, §8).
Services flush, never commit, never read `flask.request`.
"""
from __future__ import annotations

from collections import defaultdict

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.audit import record_audit
from app.core.db import utcnow
from app.extensions import db
from app.menus.models import MenuItem
from app.relationships.models import ProviderRelationship
from app.relationships.states import RelationshipKind
from app.tenancy.labels import provider_label
from app.tenancy.models import Organisation, OrganisationKind

REASON_MAX = 2000
BLOCKED_REASON = "非選定：希望メニューの提供者と利害関係あり"


class RelationshipError(ValueError):
    """The relationship cannot be declared or withdrawn as asked (user-facing Japanese)."""


def _active_stmt(tenant_id: int):
    return sa.select(ProviderRelationship).where(ProviderRelationship.tenant_id == tenant_id,
                                                 ProviderRelationship.withdrawn_at.is_(None))


def active_relationship(tenant_id: int, provider_id: int, municipality_id: int) -> ProviderRelationship | None:
    """The standing (not withdrawn) relationship of the pair, or None."""
    return db.session.scalars(_active_stmt(tenant_id).where(
        ProviderRelationship.provider_id == provider_id, ProviderRelationship.municipality_id == municipality_id)).first()


def declare_relationship(tenant, *, provider: Organisation, municipality: Organisation, kind: RelationshipKind,
                         reason: str, actor) -> ProviderRelationship:
    """Declare that `provider` has a relationship of `kind` with `municipality`, with `reason`.

    Raises `RelationshipError` when the organisations are not a provider and a municipality of
    `tenant`, the reason is empty or over 2000 characters, or the pair already has a standing
    declaration. Audited (`relationship.declare`).
    """
    if (provider.tenant_id, municipality.tenant_id) != (tenant.id, tenant.id) or provider.kind != OrganisationKind.PROVIDER \
            or municipality.kind != OrganisationKind.MUNICIPALITY:
        raise RelationshipError(_("%(provider)sと市町村を選んでください。", provider=provider_label(tenant)))
    reason = (reason or "").strip()
    if not reason:
        raise RelationshipError(_("利害関係の内容（理由）を入力してください。"))
    if len(reason) > REASON_MAX:
        raise RelationshipError(_("理由は%(n)d文字以内で入力してください。", n=REASON_MAX))
    if active_relationship(tenant.id, provider.id, municipality.id):
        raise RelationshipError(_("%(p)s と %(m)s の利害関係は既に申告されています。", p=provider.name, m=municipality.name))
    row = ProviderRelationship(tenant_id=tenant.id, provider_id=provider.id, municipality_id=municipality.id,
                               kind=RelationshipKind(kind), reason=reason, declared_by_id=getattr(actor, "id", None))
    db.session.add(row)
    db.session.flush()
    record_audit("relationship.declare", tenant_id=tenant.id, actor=actor, target=row, changes={
        "provider_id": provider.id, "municipality_id": municipality.id, "kind": str(row.kind)})
    return row


def withdraw_relationship(row: ProviderRelationship, *, actor) -> ProviderRelationship:
    """Withdraw a standing declaration (kept as a record; no longer blocks). Raises
    `RelationshipError` when it is already withdrawn. Audited (`relationship.withdraw`)."""
    if row.withdrawn_at is not None:
        raise RelationshipError(_("この利害関係の申告は既に取り下げられています。"))
    row.withdrawn_at, row.withdrawn_by_id = utcnow(), getattr(actor, "id", None)
    db.session.flush()
    record_audit("relationship.withdraw", tenant_id=row.tenant_id, actor=actor, target=row)
    return row


def blocked_items(tenant, call) -> dict[int, frozenset[int]]:
    """Menu items of `call` that may not go to a municipality because of a standing relationship.

    Returns `{municipality organisation id: frozenset(menu item ids of the call whose provider is
    related to it)}`; municipalities without any are absent. The optimiser takes it as
    `Candidate.blocked_items` (rule: product.md §5 "declared relationships exclude a provider").
    """
    stmt = (
        sa.select(ProviderRelationship.municipality_id, MenuItem.id)
        .join(MenuItem, sa.and_(MenuItem.provider_id == ProviderRelationship.provider_id,
                                MenuItem.tenant_id == ProviderRelationship.tenant_id))
        .where(ProviderRelationship.tenant_id == tenant.id, ProviderRelationship.withdrawn_at.is_(None),
               MenuItem.call_id == call.id)
    )
    blocked: dict[int, set[int]] = defaultdict(set)
    for municipality_id, item_id in db.session.execute(stmt):
        blocked[municipality_id].add(item_id)
    return {m: frozenset(items) for m, items in blocked.items()}


def relationship_problem(application, menu_item) -> str | None:
    """Why `menu_item` may not be given to `application`'s municipality (Japanese message), or None.

    Call it before a manual adjustment or a promotion: a provider with a standing declared
    relationship with the municipality is excluded from its assignment (product.md §5).
    """
    if menu_item is None:
        return None
    row = active_relationship(application.tenant_id, menu_item.provider_id, application.municipality_id)
    if row is None:
        return None
    return _("%(p)s は %(m)s と利害関係（%(k)s）があるため、この支援メニューは選べません。",
             p=row.provider.name, m=row.municipality.name, k=row.kind.label)
