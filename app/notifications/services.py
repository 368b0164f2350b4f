"""Notification services: queue (idempotently), read marks and preferences.

Services flush, never commit, never send: mail leaves only through the outbox job after the
caller's commit (`app.notifications.delivery.deliver_outbox`). Any domain queues with
`queue_notification(tenant, user, "kind", {...}, dedupe_key=...)`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from app.auth.models import User
from app.core.db import utcnow
from app.extensions import db
from app.notifications.models import Notification, NotificationPreference
from app.notifications.states import Channel, NotificationState
from app.notifications.sealing import LINK_PLACEHOLDER, seal
from app.notifications.texts import PASSWORD_LINK_KINDS, render


def app_url(endpoint: str, **values) -> str:
    """An absolute, plain app URL under APP_BASE_URL (no login token; works outside requests)."""
    base = urlsplit(current_app.config["APP_BASE_URL"])
    adapter = current_app.url_map.bind(base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)


def channels_of(tenant, user_ids: Iterable[int]) -> dict[int, Channel]:
    """`{user_id: Channel}` for the given users (users without a preference are absent)."""
    stmt = sa.select(NotificationPreference.user_id, NotificationPreference.channel).where(
        NotificationPreference.tenant_id == tenant.id, NotificationPreference.user_id.in_(list(user_ids)))
    return dict(db.session.execute(stmt).all())


def existing_keys(tenant, keys: Iterable[str]) -> set[str]:
    """The dedupe keys among `keys` already queued in `tenant` (one query)."""
    keys = list(keys)
    if not keys:
        return set()
    stmt = sa.select(Notification.dedupe_key).where(Notification.tenant_id == tenant.id, Notification.dedupe_key.in_(keys))
    return set(db.session.scalars(stmt))


def _row(tenant, user: User, kind: str, values: dict, dedupe_key: str | None, link: str, channel) -> Notification:
    secret = kind in PASSWORD_LINK_KINDS
    # A password-setting link is never stored in clear: a placeholder in the body, the link sealed
    # (app/notifications/sealing.py). `values["url"]` is not trusted to be harmless either.
    text = render(tenant, kind, {**values, "url": LINK_PLACEHOLDER} if secret else {"url": link, **values})
    in_app_only = channel == Channel.IN_APP_ONLY and not secret
    return Notification(tenant_id=tenant.id, user_id=user.id, organisation_id=user.organisation_id, kind=kind,
                        dedupe_key=dedupe_key, email=user.email, subject=text.subject[:200], body=text.body,
                        link="" if secret else link, sealed_link=seal(link) if secret and link else "",
                        state=NotificationState.IN_APP_ONLY if in_app_only else NotificationState.QUEUED)


def queue_notification(tenant, user: User, kind: str, values: dict, *, dedupe_key: str | None = None,
                       link: str = "") -> Notification | None:
    """Queue one message to `user` rendered from template `kind` (app/notifications/texts.py).

    `values` fill the placeholders; `link` is a plain app URL (see `app_url`) also offered as
    `{url}`. Returns the new row, or None when `dedupe_key` was already queued (re-running a job
    never queues twice). E-mail is skipped (state IN_APP_ONLY) for users who chose in-app only, except for the kinds
    in `texts.PASSWORD_LINK_KINDS` (invitation, password reset), whose `link` is stored sealed
    (`sealed_link`; the body holds `sealing.LINK_PLACEHOLDER`, `link` is empty).
    Raises `KeyError` for an unknown `kind`.
    """
    if user.tenant_id != tenant.id:
        raise ValueError("recipient outside the tenant")
    if dedupe_key and existing_keys(tenant, [dedupe_key]):
        return None
    row = _row(tenant, user, kind, values, dedupe_key, link, channels_of(tenant, [user.id]).get(user.id))
    db.session.add(row)
    db.session.flush()
    return row


def queue_bulk(tenant, users: list[User], kind: str, values_for: Callable[[User], dict],
               key_for: Callable[[User], str], link: str = "") -> list[Notification]:
    """Queue template `kind` to each of `users` (dedupe key `key_for(user)`), skipping keys already
    queued. Three queries whatever the number of users. Returns the rows queued now."""
    done = existing_keys(tenant, [key_for(u) for u in users])
    channels = channels_of(tenant, [u.id for u in users])
    rows = [_row(tenant, u, kind, values_for(u), key_for(u), link, channels.get(u.id))
            for u in users if key_for(u) not in done and u.tenant_id == tenant.id]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def mark_read(notification: Notification, *, now: dt.datetime | None = None) -> Notification:
    """Mark one in-app notification read (idempotent: the first read time is kept)."""
    if notification.read_at is None:
        notification.read_at = now or utcnow()
        db.session.flush()
    return notification


def mark_all_read(tenant, user: User, *, now: dt.datetime | None = None) -> int:
    """Mark every unread notification of `user` read; returns how many changed."""
    stmt = (sa.update(Notification)
            .where(Notification.tenant_id == tenant.id, Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=now or utcnow()))
    return db.session.execute(stmt).rowcount or 0


def set_channel(tenant, user: User, channel: Channel) -> NotificationPreference:
    """Store `user`'s channel preference (applies to notifications queued from now on)."""
    pref = db.session.scalar(sa.select(NotificationPreference).where(
        NotificationPreference.tenant_id == tenant.id, NotificationPreference.user_id == user.id))
    if pref is None:
        pref = NotificationPreference(tenant_id=tenant.id, user_id=user.id)
        db.session.add(pref)
    pref.channel = channel
    db.session.flush()
    return pref
