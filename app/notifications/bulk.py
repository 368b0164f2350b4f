"""Bulk notices as data: a `Batch` is one template sent to many users on one occasion (the call-open
notice of a call, the reminder of a needs-survey round, …).

A job builds its batches and queues them; the operator's preview pages (/bulk-notices, the call-open
preview) render the same batches without queuing, so what is previewed is what will be sent:
recipients, dedupe keys, placeholders and link come from one place.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from app.auth.models import User
from app.notifications.services import existing_keys, queue_bulk
from app.notifications.texts import Rendered, kind_label, render


@dataclass
class Batch:
    """One bulk notice: template `kind` to `users`, placeholders `values_for(user)`, dedupe key
    `key_for(user)`, `link` (plain app URL); `title` names the occasion; `planned_on` is the JST date
    the job sends it (None: as soon as it runs)."""

    kind: str
    title: str
    planned_on: dt.date | None
    users: list[User]
    values_for: Callable[[User], dict]
    key_for: Callable[[User], str]
    link: str = ""

    def queue(self, tenant) -> int:
        """Queue the notice to every user not yet queued for it; returns how many were queued."""
        return len(queue_bulk(tenant, self.users, self.kind, self.values_for, self.key_for, self.link))

    def pending(self, tenant) -> list[User]:
        """The users who would get it now (their dedupe key is not queued yet). One query."""
        done = existing_keys(tenant, [self.key_for(u) for u in self.users])
        return [u for u in self.users if self.key_for(u) not in done]

    def sample(self, tenant) -> Rendered:
        """The message as the first recipient would get it (a placeholder recipient when none)."""
        values = self.values_for(self.users[0]) if self.users else {}
        return render(tenant, self.kind, {**values, "url": self.link})

    @property
    def label(self) -> str:
        """Japanese name of the template kind (e.g. 募集開始のお知らせ)."""
        return kind_label(self.kind)


@dataclass
class BatchPreview:
    """What the operator sees of a batch: counts, the sample message and the planned date."""

    batch: Batch
    recipients: int
    pending: int
    sample: Rendered


def preview(tenant, batch: Batch) -> BatchPreview:
    """A `BatchPreview` of `batch` (does not queue anything)."""
    return BatchPreview(batch, len(batch.users), len(batch.pending(tenant)), batch.sample(tenant))
