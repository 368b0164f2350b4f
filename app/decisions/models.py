"""Decision notice (決定通知): one per recipient organisation and occasion, kept as data."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TenantScoped, TimestampMixin, enum_column
from app.decisions.states import NoticeKind, NoticeOccasion
from app.tenancy.models import Organisation


class DecisionNotice(TenantScoped, TimestampMixin, Base):
    """A notice issued to one organisation (`recipient_id`) about one call.

    `lines` is the content as issued, frozen (a later change does not rewrite a notice):
    municipality → `[{"application_id", "outcome": "selected"|"not_selected", "menu_item",
    "provider", "reason", "waitlist_position"}]`; provider → `[{"engagement_id", "municipality",
    "menu_item", "reason"}]` with `respond_by` (accept or decline by, JST date). Notices are data
    so that the outbox (issue 6) can mail them later; `read_at` records the recipient's receipt.
    """

    __tablename__ = "decision_notices"
    __table_args__ = (sa.Index("ix_decision_notices_recipient", "tenant_id", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    recipient_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[NoticeKind] = enum_column(NoticeKind, "notice_kind")
    occasion: Mapped[NoticeOccasion] = enum_column(NoticeOccasion, "notice_occasion")
    title: Mapped[str] = mapped_column(sa.String(200))
    lines: Mapped[list] = mapped_column(sa.JSON, default=list)
    respond_by: Mapped[dt.date | None]
    issued_at: Mapped[dt.datetime]
    issued_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    read_at: Mapped[dt.datetime | None]
    read_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    is_sample: Mapped[bool] = mapped_column(default=False)

    recipient: Mapped[Organisation] = relationship(lazy="joined")
