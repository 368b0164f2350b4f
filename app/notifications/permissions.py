"""Who sees which notifications (pure predicates; views answer 404).

Each user sees and marks read only their own in-app notifications; the tenant's operators see the
outbox (送信メール: every queued, sent and failed mail), the job schedule and the bulk previews.
"""
from __future__ import annotations



def _in_tenant(user, obj) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.tenant_id == obj.tenant_id


def is_own_notification(user, notification) -> bool:
    """The notification is addressed to `user`."""
    return _in_tenant(user, notification) and notification.user_id == user.id
