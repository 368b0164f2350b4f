"""Engagement, support session (支援実施記録) and completion report (実績報告)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TenantScoped, TimestampMixin, VersionedMixin, enum_column
from app.engagements.states import EngagementState, ReportState
from app.menus.models import MenuItem
from app.menus.states import DeliveryFormat
from app.tenancy.models import Organisation


class Engagement(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """Support of one municipality by one provider on one menu item in one fiscal year.

    `application_id` is unique (one engagement per application, quality.md); it is null for past
    years' records loaded without applications.
    """

    __tablename__ = "engagements"
    __table_args__ = (
        sa.Index("ix_engagements_fy_municipality", "tenant_id", "fiscal_year", "municipality_id"),
        sa.CheckConstraint("cost_thousand_yen >= 0", name="cost_not_negative"),
        sa.CheckConstraint("planned_sessions BETWEEN 1 AND 100", name="planned_sessions_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int]
    application_id: Mapped[int | None] = mapped_column(sa.ForeignKey("applications.id", ondelete="SET NULL"), unique=True)
    menu_item_id: Mapped[int] = mapped_column(sa.ForeignKey("menu_items.id", ondelete="RESTRICT"), index=True)
    provider_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    state: Mapped[EngagementState] = enum_column(EngagementState, "engagement_state", default=EngagementState.ASSIGNED)
    cost_thousand_yen: Mapped[int] = mapped_column(default=0)  # 千円, the item's unit cost at assignment
    cancel_reason: Mapped[str] = mapped_column(sa.Text, default="")
    decline_reason: Mapped[str] = mapped_column(sa.Text, default="")  # the provider's 辞退 reason
    is_sample: Mapped[bool] = mapped_column(default=False)
    # Kickoff (issues and goals agreed before any session, to avoid 丸投げ and mismatch, 003:1671):
    # the provider drafts it (`kickoff_drafted_at`), the municipality agrees, or the operator records it.
    kickoff_issues: Mapped[str] = mapped_column(sa.Text, default="")
    kickoff_goals: Mapped[str] = mapped_column(sa.Text, default="")
    planned_sessions: Mapped[int | None]
    kickoff_drafted_at: Mapped[dt.datetime | None]
    kickoff_at: Mapped[dt.datetime | None]
    kickoff_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    completed_at: Mapped[dt.datetime | None]  # set on IN_PROGRESS → COMPLETED; the 実績報告 is due from it

    menu_item: Mapped[MenuItem] = relationship(lazy="joined")
    provider: Mapped[Organisation] = relationship(foreign_keys=[provider_id], lazy="joined")
    municipality: Mapped[Organisation] = relationship(foreign_keys=[municipality_id], lazy="joined")
    sessions: Mapped[list[SupportSession]] = relationship(
        back_populates="engagement", order_by="SupportSession.held_on", cascade="all, delete-orphan"
    )
    planned_dates: Mapped[list[EngagementPlannedDate]] = relationship(
        order_by="EngagementPlannedDate.planned_on", cascade="all, delete-orphan"
    )


class EngagementPlannedDate(TenantScoped, Base):
    """One planned session date agreed at kickoff (optional); overdue when past and not logged."""

    __tablename__ = "engagement_planned_dates"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    planned_on: Mapped[dt.date]


class SupportSession(TenantScoped, TimestampMixin, Base):
    """One logged support session. Attendees are counts by role; no personal names are required."""

    __tablename__ = "support_sessions"
    __table_args__ = (
        sa.CheckConstraint("duration_minutes BETWEEN 1 AND 1440", name="duration_range"),
        sa.CheckConstraint("proposals_count >= 0", name="proposals_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[dt.date]
    start_time: Mapped[dt.time | None]  # JST wall-clock start; null on sessions logged before it was asked
    format: Mapped[DeliveryFormat] = enum_column(DeliveryFormat, "session_format")
    duration_minutes: Mapped[int]
    attendees: Mapped[dict] = mapped_column(sa.JSON, default=dict)  # {"首長・幹部": 1, "担当職員": 3, …}
    categories: Mapped[list] = mapped_column(sa.JSON, default=list)  # tenant category codes (digest §3)
    content: Mapped[str] = mapped_column(sa.Text)
    proposals_count: Mapped[int] = mapped_column(default=0)  # 解決策の提案 (cf. 003:1635)
    proposals_text: Mapped[str] = mapped_column(sa.Text, default="")
    next_steps: Mapped[str] = mapped_column(sa.Text, default="")
    logged_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    confirmed_at: Mapped[dt.datetime | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    municipal_comment: Mapped[str] = mapped_column(sa.Text, default="")

    engagement: Mapped[Engagement] = relationship(back_populates="sessions")
    attachments: Mapped[list[SessionAttachment]] = relationship(  # selectin: no N+1 on the engagement page
        back_populates="session", order_by="SessionAttachment.id", cascade="all, delete-orphan", lazy="selectin"
    )


class SessionAttachment(TenantScoped, TimestampMixin, Base):
    """A file attached to a session, stored as `instance/attachments/<tenant_id>/<storage_token>`.

    The user's file name is kept here only (never on disk); `content_type` is the type detected from
    the content (magic bytes), not the one the browser sent.
    """

    __tablename__ = "session_attachments"
    __table_args__ = (sa.CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("support_sessions.id", ondelete="CASCADE"), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    storage_token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size_bytes: Mapped[int]
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))

    session: Mapped[SupportSession] = relationship(back_populates="attachments")


class CompletionReport(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """The provider's 実績報告 for an engagement; the operator accepts or returns it."""

    __tablename__ = "completion_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"), unique=True)
    state: Mapped[ReportState] = enum_column(ReportState, "report_state", default=ReportState.SUBMITTED)
    summary: Mapped[str] = mapped_column(sa.Text)
    outcomes: Mapped[str] = mapped_column(sa.Text, default="")
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    return_reason: Mapped[str] = mapped_column(sa.Text, default="")
