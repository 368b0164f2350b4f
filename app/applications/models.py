"""Application and its ranked choices."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.states import ApplicationState
from app.calls.models import Call
from app.core.db import Base, TenantScoped, TimestampMixin, VersionedMixin, enum_column
from app.menus.models import MenuItem
from app.tenancy.models import Organisation


class Application(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """One request for support by an applicant body in a call (one engagement at most per application).

    In an annual call it is an application (申込) of a municipality with ranked choices; in a
    continuous / on-demand call a 派遣依頼 of any applicant body (市町村・教育委員会・商工会) with one
    choice, decided on its own (`app.applications.requests`). `municipality_id` is the applicant body.
    """

    __tablename__ = "applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    state: Mapped[ApplicationState] = enum_column(ApplicationState, "application_state", default=ApplicationState.DRAFT)
    issue: Mapped[str] = mapped_column(sa.Text, default="")  # 課題
    goal: Mapped[str] = mapped_column(sa.Text, default="")
    desired_timing: Mapped[str] = mapped_column(sa.String(200), default="")
    contact_name: Mapped[str] = mapped_column(sa.String(100), default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    return_reason: Mapped[str] = mapped_column(sa.Text, default="")
    decision_reason: Mapped[str] = mapped_column(sa.Text, default="")  # 派遣依頼: why 不承認 (or a note on 承認)
    submitted_at: Mapped[dt.datetime | None]
    decided_at: Mapped[dt.datetime | None]
    is_sample: Mapped[bool] = mapped_column(default=False)

    municipality: Mapped[Organisation] = relationship(lazy="joined")
    call: Mapped[Call] = relationship(lazy="joined")
    choices: Mapped[list[ApplicationChoice]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationChoice.rank"
    )


class ApplicationChoice(TenantScoped, Base):
    """The menu item ranked `rank` (1 = first choice) in an application."""

    __tablename__ = "application_choices"
    __table_args__ = (
        sa.UniqueConstraint("application_id", "rank"),
        sa.UniqueConstraint("application_id", "menu_item_id"),
        sa.CheckConstraint("rank BETWEEN 1 AND 10", name="rank_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int]
    menu_item_id: Mapped[int] = mapped_column(sa.ForeignKey("menu_items.id", ondelete="RESTRICT"), index=True)

    application: Mapped[Application] = relationship(back_populates="choices")
    menu_item: Mapped[MenuItem] = relationship(lazy="joined")
