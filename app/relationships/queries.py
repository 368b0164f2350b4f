"""Read-side queries on provider–municipality relationships (filtered by tenant by hand)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.auth.models import Role
from app.extensions import db
from app.relationships.models import ProviderRelationship
from app.tenancy.models import Organisation, OrganisationKind


def relationships_for(user, tenant) -> list[ProviderRelationship]:
    """Relationships `user` may see (operator: all; provider: its own), standing ones first, then
    by provider name and 全国地方公共団体コード."""
    provider, muni = aliased(Organisation), aliased(Organisation)
    stmt = (
        sa.select(ProviderRelationship)
        .join(provider, provider.id == ProviderRelationship.provider_id)
        .join(muni, muni.id == ProviderRelationship.municipality_id)
        .where(ProviderRelationship.tenant_id == tenant.id)
        .order_by(ProviderRelationship.withdrawn_at.is_not(None), provider.name, muni.lg_code, ProviderRelationship.id)
    )
    if user.role == Role.PROVIDER:
        stmt = stmt.where(ProviderRelationship.provider_id == user.organisation_id)
    elif user.role != Role.OPERATOR:
        return []
    return list(db.session.scalars(stmt))


def organisations_of(tenant, kind: OrganisationKind) -> list[Organisation]:
    """Active organisations of `kind` (municipalities by code, providers by name) for form choices."""
    order = Organisation.lg_code if kind == OrganisationKind.MUNICIPALITY else Organisation.name
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.tenant_id == tenant.id, Organisation.kind == kind, Organisation.is_active.is_(True)).order_by(order)))
