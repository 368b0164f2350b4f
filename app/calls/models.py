"""Call and its phase windows."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.calls.states import REQUEST_PHASE, CallModel, CallPhase
from app.core.db import Base, TenantScoped, TimestampMixin, VersionedMixin, enum_column


class Call(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """The yearly call of one tenant. Rules are copied from the tenant at creation (per-call rules)."""

    __tablename__ = "calls"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "fiscal_year"),
        sa.CheckConstraint("fiscal_year BETWEEN 2000 AND 2100", name="fiscal_year_range"),
        sa.CheckConstraint("max_choices BETWEEN 1 AND 10", name="max_choices_range"),
        sa.CheckConstraint("budget_thousand_yen >= 0", name="budget_not_negative"),
        sa.CheckConstraint("max_dispatches_per_body IS NULL OR max_dispatches_per_body >= 1",
                           name="max_dispatches_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    phase: Mapped[CallPhase] = enum_column(CallPhase, "call_phase", default=CallPhase.DRAFT)
    budget_thousand_yen: Mapped[int] = mapped_column(default=0)  # 千円
    max_choices: Mapped[int] = mapped_column(default=3)
    max_applications_per_municipality: Mapped[int] = mapped_column(default=1)
    max_engagements_first_pass: Mapped[int] = mapped_column(default=1)
    max_engagements_per_municipality: Mapped[int] = mapped_column(default=1)
    priority_lookback_years: Mapped[int] = mapped_column(default=2)
    coverage_window_years: Mapped[int] = mapped_column(default=3)
    menu_published_at: Mapped[dt.datetime | None]
    call_model: Mapped[CallModel] = enum_column(CallModel, "call_model", default=CallModel.ANNUAL)
    # 派遣 per applicant body in this fiscal year (1団体につき年５回まで, 003:1646); None = no quota.
    max_dispatches_per_body: Mapped[int | None]
    is_sample: Mapped[bool] = mapped_column(default=False)
    # Per-call overrides of the reminder timings {key: days} (app/notifications/timings.py; 「通知設定」).
    notice_settings: Mapped[dict] = mapped_column(sa.JSON, default=dict, server_default=sa.text("'{}'"))

    windows: Mapped[list[CallWindow]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallWindow.starts_on"
    )

    def window(self, phase: CallPhase) -> CallWindow | None:
        """The planned window of `phase`, if any."""
        return next((w for w in self.windows if w.phase == phase), None)

    @property
    def takes_requests(self) -> bool:
        """A continuous / on-demand call taking 派遣依頼 now (in `REQUEST_PHASE`), not an annual one."""
        return self.call_model != CallModel.ANNUAL and self.phase == REQUEST_PHASE

    @property
    def menu_is_frozen(self) -> bool:
        """Once published (call opened), the numbered menu no longer changes (digest §10.2)."""
        return self.menu_published_at is not None


class CallWindow(TenantScoped, Base):
    """Planned dates (JST calendar dates, inclusive) of one phase of a call."""

    __tablename__ = "call_windows"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "phase"),
        sa.CheckConstraint("ends_on >= starts_on", name="window_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    phase: Mapped[CallPhase] = enum_column(CallPhase, "call_window_phase")
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]

    call: Mapped[Call] = relationship(back_populates="windows")
