"""Mail backends: SMTP (production) and "store" (development and tests: the mail is kept in the
outbox and shown on the 送信メール page, nothing leaves the machine).

Configuration (app/config.py): MAIL_BACKEND ("smtp" | "store"), MAIL_HOST, MAIL_PORT,
MAIL_USE_STARTTLS, MAIL_USE_SSL, MAIL_USERNAME, MAIL_PASSWORD, MAIL_FROM, MAIL_TIMEOUT (seconds).
"""
from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from app.notifications.states import Transport


def build_message(*, sender: str, sender_name: str, to: str, subject: str, body: str) -> EmailMessage:
    """A UTF-8 plain-text message; the Japanese subject is MIME-encoded (RFC 2047) on output."""
    message = EmailMessage()
    message["From"] = formataddr((sender_name, sender)) if sender_name else sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(body, charset="utf-8")
    return message


class StoreSender:
    """Keeps mail in the database only (the development default)."""

    transport = Transport.STORE

    def send(self, message: EmailMessage) -> None:
        """Nothing to do: the outbox row itself is the stored mail."""


class SMTPSender:
    """Sends through an SMTP server; STARTTLS, implicit TLS and login as configured."""

    transport = Transport.SMTP

    def __init__(self, config):
        self.config = config

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        if c.get("MAIL_USE_SSL"):
            return smtplib.SMTP_SSL(c["MAIL_HOST"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"],
                                    context=ssl.create_default_context())
        smtp = smtplib.SMTP(c["MAIL_HOST"], c["MAIL_PORT"], timeout=c["MAIL_TIMEOUT"])
        if c.get("MAIL_USE_STARTTLS"):
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, message: EmailMessage) -> None:
        """Deliver one message; raises `smtplib.SMTPException` / `OSError` on failure."""
        with self._connect() as smtp:
            if self.config.get("MAIL_USERNAME"):
                smtp.login(self.config["MAIL_USERNAME"], self.config.get("MAIL_PASSWORD") or "")
            smtp.send_message(message)


def sender_from_config(config):
    """The backend that `MAIL_BACKEND` names ("smtp" or "store")."""
    return SMTPSender(config) if config.get("MAIL_BACKEND") == "smtp" else StoreSender()
