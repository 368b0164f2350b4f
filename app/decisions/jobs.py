"""Jobs of the decisions domain: mail each decision notice (決定通知 / 割当通知) to its recipient
organisation's staff.

A `DecisionNotice` row is the occasion: the job drains the unread, non-sample notices and queues one
notification per notice and user (dedupe key "decisions.notice:<notice>:<user>"), so a notice issued
during downtime is mailed by the next run and a re-run or a second scheduler never mails twice. A
notice already read by its recipient (seen in the app) is not mailed.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.auth.models import Role
from app.core.wareki import format_date
from app.decisions.models import DecisionNotice
from app.extensions import db
from app.notifications.recipients import staff_by_organisation
from app.notifications.services import app_url, queue_bulk
from app.scheduling import every, job

NOTICE = "decisions.notice"


def pending_notices(tenant) -> list[DecisionNotice]:
    """Unread, non-sample notices of `tenant`, oldest first (one query)."""
    stmt = (sa.select(DecisionNotice)
            .where(DecisionNotice.tenant_id == tenant.id, DecisionNotice.read_at.is_(None),
                   DecisionNotice.is_sample.is_(False))
            .order_by(DecisionNotice.issued_at, DecisionNotice.id))
    return list(db.session.scalars(stmt))


def _values(notice: DecisionNotice) -> dict:
    return {"title": notice.title, "recipient": notice.recipient.name, "kind_label": str(notice.kind.label),
            "respond_by": format_date(notice.respond_by) if notice.respond_by else "－"}


@job("decisions.notices", trigger=every(minutes=10), period=None,
     description="決定通知・割当通知のお知らせ（受領者の担当者へ）")
def mail_notices(tenant, now: dt.datetime) -> str:
    """Every 10 minutes: queue one notification per pending notice (`pending_notices`) and
    recipient staff member; returns the Japanese summary. Unledgered: idempotent by the dedupe
    key (unique per tenant in the outbox, so two schedulers racing make one row)."""
    notices = pending_notices(tenant)
    staff, queued = staff_by_organisation(tenant, Role.MUNICIPAL, Role.PROVIDER,
                                          organisation_ids={n.recipient_id for n in notices}), 0
    for notice in notices:
        link = app_url("decisions.notice", tenant_slug=tenant.slug, notice_id=notice.id)
        rows = queue_bulk(tenant, staff.get(notice.recipient_id, []), NOTICE, lambda u, n=notice: _values(n),
                          lambda u, n=notice: f"{NOTICE}:{n.id}:{u.id}", link)
        queued += len(rows)
    return f"決定通知のお知らせ {queued} 件"
