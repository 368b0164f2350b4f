"""Selection (one per call) and its allocation decisions (one per application)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.models import Application
from app.auth.models import User
from app.core.db import Base, TenantScoped, TimestampMixin, VersionedMixin, enum_column
from app.menus.models import MenuItem
from app.selection.states import SelectionState


class Selection(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """The selection of a call; `confirmed_by_id` records who confirmed it (公正性, digest §10.4)."""

    __tablename__ = "selections"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), unique=True)
    state: Mapped[SelectionState] = enum_column(SelectionState, "selection_state", default=SelectionState.DRAFT)
    proposed_at: Mapped[dt.datetime | None]
    confirmed_at: Mapped[dt.datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    allocations: Mapped[list[Allocation]] = relationship(back_populates="selection", cascade="all, delete-orphan")
    confirmed_by: Mapped[User | None] = relationship(lazy="joined")


class Allocation(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """The decision for one application: the menu item given (None = not selected) and why."""

    __tablename__ = "allocations"
    __table_args__ = (
        sa.CheckConstraint("pass_no IS NULL OR pass_no IN (1, 2)", name="pass_no_range"),
        sa.CheckConstraint("NOT (is_pinned AND is_excluded)", name="pinned_or_excluded"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    selection_id: Mapped[int] = mapped_column(sa.ForeignKey("selections.id", ondelete="CASCADE"), index=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), unique=True)
    menu_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("menu_items.id", ondelete="RESTRICT"))
    choice_rank: Mapped[int | None]
    pass_no: Mapped[int | None]
    is_priority: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    is_pinned: Mapped[bool] = mapped_column(default=False)  # operator fixed this decision
    is_excluded: Mapped[bool] = mapped_column(default=False)  # operator excluded this application

    selection: Mapped[Selection] = relationship(back_populates="allocations")
    application: Mapped[Application] = relationship(lazy="joined")
    menu_item: Mapped[MenuItem | None] = relationship(lazy="joined")

    @property
    def is_selected(self) -> bool:
        return self.menu_item_id is not None
