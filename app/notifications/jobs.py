"""Jobs of the notifications domain: drain the outbox (every minute)."""
from __future__ import annotations

import datetime as dt

from app.notifications.delivery import deliver_outbox
from app.scheduling import every, job


@job("notifications.deliver_outbox", trigger=every(minutes=1), period=None, description="送信待ちメールの送信")
def deliver(tenant, now: dt.datetime) -> str:
    """Send the tenant's due outbox rows. Unledgered: each row is claimed once (app/notifications/delivery.py)."""
    return str(deliver_outbox(tenant, now=now))
