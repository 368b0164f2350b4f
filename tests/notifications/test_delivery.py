"""Outbox delivery: a real SMTP server in the test process (aiosmtpd) receives Japanese mail that
decodes back to the same subject and body; failures are retried and kept; the store backend."""
import datetime as dt
import email
import email.policy
import socket

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from app.auth.models import Role
from app.extensions import db
from app.notifications.delivery import BACKOFF, deliver_outbox
from app.notifications.models import Notification
from app.notifications.sender import SMTPSender, StoreSender
from app.notifications.services import queue_notification
from app.notifications.states import NotificationState, Transport
from tests import factories
from tests.conftest import in_tenant

NOW = dt.datetime(2025, 5, 16, 0, 0, tzinfo=dt.timezone.utc)
VALUES = {"call_title": "令和7年度 ICTアドバイザー市町村派遣事業", "starts_on": "2025年5月16日", "ends_on": "2025年6月14日",
          "municipality": "福島市"}


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook name)
        self.messages.append((envelope.rcpt_tos, envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller, inbox
    controller.stop()


def _queue(app, email_address="fukushima-city@example.jp") -> int:
    with in_tenant(app) as tenant:
        user = factories.user(tenant, Role.MUNICIPAL, email_address, factories.municipality("072010"))
        row = queue_notification(tenant, user, "calls.open", VALUES, dedupe_key="calls.open:1:x",
                                 link="http://127.0.0.1:5000/t/fukushima/applications")
        db.session.commit()
        return row.id


def _row(app, row_id) -> Notification:
    with in_tenant(app):
        row = db.session.scalar(sa.select(Notification).where(Notification.id == row_id))
        db.session.expunge(row)
        return row


def test_japanese_mail_reaches_a_real_smtp_server_and_decodes_back(app, smtp_server):
    controller, inbox = smtp_server
    row_id = _queue(app)
    config = {**app.config, "MAIL_HOST": "127.0.0.1", "MAIL_PORT": controller.port, "MAIL_USE_STARTTLS": False}
    with in_tenant(app) as tenant:
        result = deliver_outbox(tenant, now=NOW, sender=SMTPSender(config))
    assert (result.sent, result.failed) == (1, 0)
    row = _row(app, row_id)
    assert row.state == NotificationState.SENT and row.transport == Transport.SMTP and row.sent_at == NOW
    [(recipients, raw)] = inbox.messages
    assert recipients == ["fukushima-city@example.jp"]
    assert b"\xe7" not in raw.split(b"\r\n\r\n", 1)[0], "headers are MIME-encoded ASCII"
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["Subject"] == row.subject == "【福島県】令和7年度 ICTアドバイザー市町村派遣事業 申込受付を開始しました"
    assert message.get_content().rstrip("\n") == row.body.rstrip("\n")
    assert "福島市 ご担当者様" in row.body and "2025年6月14日" in row.body
    assert "http://127.0.0.1:5000/t/fukushima/applications" in row.body and "token" not in row.body


def test_a_failed_attempt_keeps_the_error_and_is_retried_later_then_given_up(app):
    row_id = _queue(app)
    dead = {**app.config, "MAIL_HOST": "127.0.0.1", "MAIL_PORT": _free_port(), "MAIL_USE_STARTTLS": False,
            "MAIL_TIMEOUT": 2, "MAIL_MAX_ATTEMPTS": 2}
    with in_tenant(app) as tenant:
        app.config["MAIL_MAX_ATTEMPTS"] = 2
        first = deliver_outbox(tenant, now=NOW, sender=SMTPSender(dead))
        too_early = deliver_outbox(tenant, now=NOW + BACKOFF / 2, sender=SMTPSender(dead))
        second = deliver_outbox(tenant, now=NOW + BACKOFF, sender=SMTPSender(dead))
    assert (first.retried, too_early.retried + too_early.failed, second.failed) == (1, 0, 1)
    row = _row(app, row_id)
    assert row.state == NotificationState.FAILED and row.attempts == 2
    assert "ConnectionRefusedError" in row.last_error


def test_the_store_backend_keeps_mail_in_the_outbox_as_sent_and_never_twice(app):
    row_id = _queue(app)
    with in_tenant(app) as tenant:
        assert deliver_outbox(tenant, now=NOW, sender=StoreSender()).sent == 1
        assert deliver_outbox(tenant, now=NOW, sender=StoreSender()).sent == 0
    row = _row(app, row_id)
    assert row.state == NotificationState.SENT and row.transport == Transport.STORE

