"""A declared relationship of a provider with a municipality (利害関係)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TenantScoped, TimestampMixin, enum_column
from app.relationships.states import RelationshipKind
from app.tenancy.models import Organisation


class ProviderRelationship(TenantScoped, TimestampMixin, Base):
    """`provider_id` has a relationship of `kind` with `municipality_id`, declared by a user with a
    reason. While not withdrawn it excludes the provider's menu items from that municipality's
    assignment (product.md §5, conflicts of interest). Withdrawn rows are kept as the record."""

    __tablename__ = "provider_relationships"
    __table_args__ = (sa.Index("ix_provider_relationships_pair", "tenant_id", "provider_id", "municipality_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[RelationshipKind] = enum_column(RelationshipKind, "relationship_kind")
    reason: Mapped[str] = mapped_column(sa.Text)
    declared_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[dt.datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_id], lazy="joined")
    municipality: Mapped[Organisation] = relationship(foreign_keys=[municipality_id], lazy="joined")

    @property
    def is_active(self) -> bool:
        return self.withdrawn_at is None
