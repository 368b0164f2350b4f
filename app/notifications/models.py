"""Outbox rows (one per recipient user and message) and per-user channel preferences."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import Base, TenantScoped, TimestampMixin, enum_column, utcnow
from app.notifications.states import Channel, NotificationState, Transport


class Notification(TenantScoped, TimestampMixin, Base):
    """One message to one user: shown in the app (unread until `read_at`) and, unless the user
    chose in-app only, e-mailed by the outbox job.

    `dedupe_key` (unique per tenant) makes queuing idempotent: a second `queue_notification` with
    the same key returns the existing row (e.g. "calls.open:<call>:<user>"). `link` is a plain app
    URL (no login token); password-setting links are only in `sealed_link`, encrypted. `attempts` counts failed SMTP tries; `last_error` keeps the last one.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "dedupe_key"),
        sa.Index("ix_notifications_user_unread", "tenant_id", "user_id", "read_at"),
        sa.Index("ix_notifications_outbox", "tenant_id", "state", "next_attempt_at"),
        sa.CheckConstraint("attempts >= 0", name="attempts_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(sa.String(64), index=True)  # template key, e.g. "calls.open"
    dedupe_key: Mapped[str | None] = mapped_column(sa.String(200))
    email: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text)
    link: Mapped[str] = mapped_column(sa.String(500), default="")
    # Invitation / reset kinds only: the link, Fernet-encrypted (app/notifications/sealing.py); the
    # body then holds a placeholder and `link` is empty, so the table holds no usable link.
    sealed_link: Mapped[str] = mapped_column(sa.Text, default="", server_default="")
    state: Mapped[NotificationState] = enum_column(NotificationState, "notification_state", default=NotificationState.QUEUED)
    transport: Mapped[Transport | None] = enum_column(Transport, "notification_transport", nullable=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    next_attempt_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    read_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class NotificationPreference(TenantScoped, Base):
    """A user's choice of channels (absent row: e-mail and in-app)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (sa.UniqueConstraint("user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    channel: Mapped[Channel] = enum_column(Channel, "notification_channel", default=Channel.EMAIL_AND_IN_APP)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

