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
from app.core.clock import to_jst
from app.core.wareki import format_date
from app.decisions.models import DecisionNotice
from app.extensions import db
from app.notifications.recipients import staff_by_organisation
from app.notifications.bulk import Batch
from app.notifications.services import app_url
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


def notice_batch(tenant, notice: DecisionNotice, staff) -> Batch:
    """The mail of one decision notice to its recipient organisation's staff (`staff`: by organisation)."""
    return Batch(NOTICE, notice.title, None, staff.get(notice.recipient_id, []), lambda u: _values(notice),
                 lambda u: f"{NOTICE}:{notice.id}:{u.id}",
                 app_url("decisions.notice", tenant_slug=tenant.slug, notice_id=notice.id))


def _staff(tenant, notices: list[DecisionNotice]):
    return staff_by_organisation(tenant, Role.MUNICIPAL, Role.PROVIDER, organisation_ids={n.recipient_id for n in notices})


def _planned(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    return [(to_jst(now).date(), f"{n.title}（{n.recipient.name}）") for n in pending_notices(tenant)]


def _preview(tenant, now: dt.datetime) -> list[Batch]:
    notices = pending_notices(tenant)
    staff = _staff(tenant, notices)
    return [notice_batch(tenant, n, staff) for n in notices]


@job("decisions.notices", trigger=every(minutes=10), period=None, planned=_planned, preview=_preview,
     description="決定通知・割当通知のお知らせ（受領者の担当者へ）")
def mail_notices(tenant, now: dt.datetime) -> str:
    """Every 10 minutes: queue one notification per pending notice (`pending_notices`) and
    recipient staff member; returns the Japanese summary. Unledgered: idempotent by the dedupe
    key (unique per tenant in the outbox, so two schedulers racing make one row)."""
    notices = pending_notices(tenant)
    staff = _staff(tenant, notices)
    queued = sum(notice_batch(tenant, notice, staff).queue(tenant) for notice in notices)
    return f"決定通知のお知らせ {queued} 件"
