"""States of an outbox row and the choice of channels per user (Japanese labels)."""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum


class NotificationState(LabeledEnum):
    """E-mail delivery state of one notification (the in-app copy exists in every state)."""

    QUEUED = "queued", _l("送信待ち")
    SENDING = "sending", _l("送信中")
    SENT = "sent", _l("送信済")
    FAILED = "failed", _l("送信失敗")
    IN_APP_ONLY = "in_app_only", _l("メールなし（画面のみ）")


# Edges taken by the delivery job: claimed, then sent, retried (back to queued) or given up.
TRANSITIONS = {
    NotificationState.QUEUED: {NotificationState.SENDING},
    NotificationState.SENDING: {NotificationState.SENT, NotificationState.QUEUED, NotificationState.FAILED},
    NotificationState.SENT: set(),
    NotificationState.FAILED: set(),
    NotificationState.IN_APP_ONLY: set(),
}


class Channel(LabeledEnum):
    """How a user wants to be notified (per-user preference; default: e-mail and in-app)."""

    EMAIL_AND_IN_APP = "email_and_in_app", _l("メールと画面の両方で受け取る")
    IN_APP_ONLY = "in_app_only", _l("画面のお知らせのみ（メールを受け取らない）")


class Transport(LabeledEnum):
    """How a sent row left the system: real SMTP, or stored only (development default)."""

    SMTP = "smtp", _l("SMTP送信")
    STORE = "store", _l("保存のみ（開発環境）")
