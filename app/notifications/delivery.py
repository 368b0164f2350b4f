"""Outbox delivery: claim queued rows one by one, send, record the result.

Unlike services, `deliver_outbox` commits: each mail is a side effect outside the database, so the
claim (queued → sending) is committed before sending and the result right after, and a second
drainer (another scheduler, a retry) never takes the same row. It runs only from the outbox job and
the CLI, never inside a request. A crash between sending and recording leaves the row "sending";
after `STUCK_AFTER` it is queued again (at-least-once for that rare case, never silently lost).
"""
from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from app.core.states import check_transition
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.sealing import SealError, mail_body
from app.notifications.sender import build_message, sender_from_config
from app.notifications.states import TRANSITIONS, NotificationState

log = logging.getLogger(__name__)
BACKOFF = dt.timedelta(minutes=5)  # doubled after each failed attempt
STUCK_AFTER = dt.timedelta(minutes=15)


@dataclass
class DeliveryResult:
    """Counts of one drain: sent, retried later, given up (failed)."""

    sent: int = 0
    retried: int = 0
    failed: int = 0

    def __str__(self) -> str:
        return f"送信 {self.sent} 件・再試行待ち {self.retried} 件・失敗 {self.failed} 件"


def _move(row: Notification, to_state: NotificationState) -> None:
    check_transition("notification", TRANSITIONS, row.state, to_state)
    row.state = to_state


def requeue_stuck(tenant, now: dt.datetime) -> int:
    """Put rows left "sending" for longer than `STUCK_AFTER` (a crashed drainer) back in the queue."""
    stmt = (sa.update(Notification)
            .where(Notification.tenant_id == tenant.id, Notification.state == NotificationState.SENDING,
                   Notification.updated_at < now - STUCK_AFTER)
            .values(state=NotificationState.QUEUED))
    return db.session.execute(stmt).rowcount or 0


def due_ids(tenant, now: dt.datetime, limit: int) -> list[int]:
    """Ids of queued rows whose next attempt is due at `now`, oldest first."""
    stmt = (sa.select(Notification.id)
            .where(Notification.tenant_id == tenant.id, Notification.state == NotificationState.QUEUED,
                   sa.or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
            .order_by(Notification.id).limit(limit))
    return list(db.session.scalars(stmt))


def claim(tenant, notification_id: int) -> bool:
    """Take one row (queued → sending) with a conditional UPDATE; False if someone else took it."""
    stmt = (sa.update(Notification)
            .where(Notification.id == notification_id, Notification.tenant_id == tenant.id,
                   Notification.state == NotificationState.QUEUED)
            .values(state=NotificationState.SENDING))
    return (db.session.execute(stmt).rowcount or 0) == 1


def _send(tenant, row: Notification, sender, now: dt.datetime, result: DeliveryResult) -> None:
    config = current_app.config
    try:
        # The sealed link is opened only here, in memory, for the message (app/notifications/sealing.py).
        message = build_message(sender=config["MAIL_FROM"], sender_name=f"{tenant.prefecture} {tenant.office_name}",
                                to=row.email, subject=row.subject, body=mail_body(row))
        sender.send(message)
    except SealError as exc:  # the key that sealed the link is gone: retrying cannot help
        row.attempts += 1
        row.last_error = f"{exc} (SECRET_KEY changed?); issue the invitation or reset again"[:1000]
        _move(row, NotificationState.FAILED)
        result.failed += 1
        log.warning("mail %s to user %s failed: %s", row.id, row.user_id, exc)
        return
    except (smtplib.SMTPException, OSError) as exc:
        row.attempts += 1
        row.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        if row.attempts >= config["MAIL_MAX_ATTEMPTS"]:
            _move(row, NotificationState.FAILED)
            result.failed += 1
        else:
            _move(row, NotificationState.QUEUED)
            row.next_attempt_at = now + BACKOFF * 2 ** (row.attempts - 1)
            result.retried += 1
        log.warning("mail %s to user %s failed (attempt %s): %s", row.id, row.user_id, row.attempts, exc)
        return
    _move(row, NotificationState.SENT)
    row.sent_at, row.transport = now, sender.transport
    result.sent += 1


def deliver_outbox(tenant, *, now: dt.datetime, sender=None, limit: int = 200) -> DeliveryResult:
    """Send up to `limit` due outbox rows of `tenant` with `sender` (default: MAIL_BACKEND).

    A failed attempt keeps the error and is retried after 5, 10, 20… minutes until
    MAIL_MAX_ATTEMPTS, then the row is FAILED. Commits after each claim and each result.
    """
    sender = sender or sender_from_config(current_app.config)
    result = DeliveryResult()
    requeue_stuck(tenant, now)
    db.session.commit()
    for notification_id in due_ids(tenant, now, limit):
        if not claim(tenant, notification_id):
            db.session.rollback()
            continue
        db.session.commit()
        row = db.session.scalar(sa.select(Notification).where(Notification.id == notification_id))
        _send(tenant, row, sender, now, result)
        db.session.commit()
    return result
