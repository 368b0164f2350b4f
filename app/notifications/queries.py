"""Read-side queries of notifications (filtered by tenant by hand; the scope is the safety net)."""
from __future__ import annotations

import sqlalchemy as sa

from app.core.pagination import Page, paginate
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.states import NotificationState
from app.scheduling import JobFailure, JobRun


def unread_count(tenant, user) -> int:
    """Unread in-app notifications of `user` (the header badge)."""
    stmt = sa.select(sa.func.count()).select_from(Notification).where(
        Notification.tenant_id == tenant.id, Notification.user_id == user.id, Notification.read_at.is_(None))
    return db.session.scalar(stmt) or 0


def notifications_of(tenant, user, page: int) -> Page:
    """`user`'s in-app notifications, newest first, paginated."""
    stmt = (sa.select(Notification).where(Notification.tenant_id == tenant.id, Notification.user_id == user.id)
            .order_by(Notification.id.desc()))
    return paginate(stmt, page)


def outbox(tenant, *, state: NotificationState | None, kind: str, page: int) -> Page:
    """Every mail of `tenant` (optionally one state / kind), newest first, paginated."""
    stmt = sa.select(Notification).where(Notification.tenant_id == tenant.id)
    if state is not None:
        stmt = stmt.where(Notification.state == state)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return paginate(stmt.order_by(Notification.id.desc()), page)


def state_counts(tenant) -> dict[NotificationState, int]:
    """`{state: rows}` of the tenant's outbox (one query)."""
    stmt = (sa.select(Notification.state, sa.func.count()).where(Notification.tenant_id == tenant.id)
            .group_by(Notification.state))
    return dict(db.session.execute(stmt).all())


def kinds(tenant) -> list[str]:
    """Template kinds present in the outbox (the filter's options)."""
    stmt = sa.select(Notification.kind).where(Notification.tenant_id == tenant.id).distinct().order_by(Notification.kind)
    return list(db.session.scalars(stmt))


def past_runs(tenant, page: int) -> Page:
    """The tenant's job run ledger, newest first, paginated."""
    stmt = sa.select(JobRun).where(JobRun.tenant_id == tenant.id).order_by(JobRun.started_at.desc(), JobRun.id.desc())
    return paginate(stmt, page)


def recent_failures(tenant, limit: int = 20) -> list[tuple[JobFailure, bool]]:
    """The tenant's latest failed runs, newest first, each with True when the same job has since
    taken effect for the same period (a retry succeeded). One query."""
    recovered = sa.select(JobRun.id).where(JobRun.tenant_id == tenant.id, JobRun.job_id == JobFailure.job_id,
                                           JobRun.period_key == JobFailure.period_key).exists()
    stmt = (sa.select(JobFailure, recovered).where(JobFailure.tenant_id == tenant.id)
            .order_by(JobFailure.failed_at.desc(), JobFailure.id.desc()).limit(limit))
    return [(failure, bool(ok)) for failure, ok in db.session.execute(stmt).all()]
