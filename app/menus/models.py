"""Menu proposals (支援メニューの提案) and menu items (支援メニュー項目)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TenantScoped, TimestampMixin, VersionedMixin, enum_column
from app.menus.states import DeliveryFormat, ProposalState
from app.tenancy.models import Organisation


class MenuProposal(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """A provider's proposal for the menu of one call. Rejected proposals are kept with the reason."""

    __tablename__ = "menu_proposals"
    __table_args__ = (
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("unit_cost_thousand_yen >= 0", name="unit_cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    categories: Mapped[list] = mapped_column(sa.JSON, default=list)  # DX category codes
    description: Mapped[str] = mapped_column(sa.Text, default="")
    deliverables: Mapped[str] = mapped_column(sa.Text, default="")
    format: Mapped[DeliveryFormat] = enum_column(DeliveryFormat, "proposal_format", default=DeliveryFormat.HYBRID)
    regions_served: Mapped[list] = mapped_column(sa.JSON, default=list)  # region names; empty = all
    capacity: Mapped[int] = mapped_column(default=1)  # municipalities the provider can support
    unit_cost_thousand_yen: Mapped[int] = mapped_column(default=0)  # 千円 per engagement
    state: Mapped[ProposalState] = enum_column(ProposalState, "proposal_state", default=ProposalState.DRAFT)
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    is_sample: Mapped[bool] = mapped_column(default=False)

    provider: Mapped[Organisation] = relationship(lazy="joined")


class MenuItem(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """An adopted item of a call's menu; numbered when the operator publishes the menu."""

    __tablename__ = "menu_items"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "number"),
        sa.CheckConstraint("capacity >= 1", name="capacity_positive"),
        sa.CheckConstraint("unit_cost_thousand_yen >= 0", name="unit_cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    proposal_id: Mapped[int | None] = mapped_column(sa.ForeignKey("menu_proposals.id", ondelete="SET NULL"), unique=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    number: Mapped[int | None]
    title: Mapped[str] = mapped_column(sa.String(200))
    categories: Mapped[list] = mapped_column(sa.JSON, default=list)
    description: Mapped[str] = mapped_column(sa.Text, default="")
    deliverables: Mapped[str] = mapped_column(sa.Text, default="")
    format: Mapped[DeliveryFormat] = enum_column(DeliveryFormat, "menu_item_format", default=DeliveryFormat.HYBRID)
    regions_served: Mapped[list] = mapped_column(sa.JSON, default=list)
    capacity: Mapped[int] = mapped_column(default=1)
    unit_cost_thousand_yen: Mapped[int] = mapped_column(default=0)
    is_sample: Mapped[bool] = mapped_column(default=False)

    provider: Mapped[Organisation] = relationship(lazy="joined")
