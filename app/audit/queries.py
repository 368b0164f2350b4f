"""Read side of the audit trail of one tenant (監査ログ): the filtered list, newest first, and the
values present for the filter selects.

`AuditEvent` is not `TenantScoped` (platform events have no tenant), so every query here filters
by `tenant_id` by hand; actors are joined from `users` the same way (an actor may be a platform
admin, who has no tenant, when the event records their access to this tenant's data).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from app.auth.models import User
from app.core.audit import AuditEvent
from app.core.clock import JST
from app.core.pagination import PER_PAGE, Page, paginate
from app.extensions import db


@dataclass(frozen=True)
class AuditFilter:
    """The filters of the 監査ログ page: JST dates (inclusive), exact action, actor user id, target
    table name and request id; empty / None means "any"."""

    date_from: dt.date | None = None
    date_to: dt.date | None = None
    action: str = ""
    actor_id: int | None = None
    target_type: str = ""
    request_id: str = ""


def utc_bounds(date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.datetime | None, dt.datetime | None]:
    """JST calendar dates → `[start, end)` in UTC: 00:00 JST of `date_from` and 00:00 JST of the day
    after `date_to` (so the whole of `date_to` in Japan is included). None stays None."""
    start = dt.datetime.combine(date_from, dt.time(), JST).astimezone(dt.timezone.utc) if date_from else None
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), JST).astimezone(dt.timezone.utc) if date_to else None
    return start, end


def _conditions(tenant, filters: AuditFilter) -> list:
    conditions = [AuditEvent.tenant_id == tenant.id]
    start, end = utc_bounds(filters.date_from, filters.date_to)
    if start is not None:
        conditions.append(AuditEvent.at >= start)
    if end is not None:
        conditions.append(AuditEvent.at < end)
    if filters.action:
        conditions.append(AuditEvent.action == filters.action)
    if filters.actor_id is not None:
        conditions.append(AuditEvent.actor_id == filters.actor_id)
    if filters.target_type:
        conditions.append(AuditEvent.target_type == filters.target_type)
    if filters.request_id:
        conditions.append(AuditEvent.request_id == filters.request_id)
    return conditions


def audit_statement(tenant, filters: AuditFilter) -> sa.Select:
    """`SELECT (AuditEvent, actor User or None)` of `tenant` matching `filters`, newest first."""
    return (
        sa.select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(*_conditions(tenant, filters))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )


def audit_page(tenant, filters: AuditFilter, page: int, *, per_page: int = PER_PAGE) -> Page:
    """Page `page` of the tenant's audit events matching `filters`; items are `(AuditEvent, User|None)`
    rows. Two queries whatever the page size (the actor comes from the join)."""
    count = sa.select(sa.func.count(AuditEvent.id)).where(*_conditions(tenant, filters))
    return paginate(audit_statement(tenant, filters), page, count_stmt=count, scalars=False, per_page=per_page)


def actions_present(tenant) -> list[str]:
    """The distinct actions recorded for `tenant`, sorted (the 操作 select)."""
    stmt = sa.select(AuditEvent.action).where(AuditEvent.tenant_id == tenant.id).distinct().order_by(AuditEvent.action)
    return list(db.session.scalars(stmt))


def target_types_present(tenant) -> list[str]:
    """The distinct non-empty target types (table names) recorded for `tenant`, sorted (the 対象種別 select)."""
    stmt = (sa.select(AuditEvent.target_type)
            .where(AuditEvent.tenant_id == tenant.id, AuditEvent.target_type != "")
            .distinct().order_by(AuditEvent.target_type))
    return list(db.session.scalars(stmt))


def actors_present(tenant) -> list[tuple[int, str]]:
    """`(user id, "name（e-mail）")` of every user who appears as an actor in `tenant`'s trail, by
    name (the 実行者 select; includes platform admins who viewed the tenant)."""
    actor_ids = sa.select(AuditEvent.actor_id).where(AuditEvent.tenant_id == tenant.id, AuditEvent.actor_id.is_not(None))
    stmt = sa.select(User.id, User.display_name, User.email).where(User.id.in_(actor_ids)).order_by(User.display_name, User.id)
    return [(uid, f"{name}（{email}）") for uid, name, email in db.session.execute(stmt)]


def recent_events(tenant, limit: int = 20) -> list[tuple[AuditEvent, User | None]]:
    """The `limit` newest audit events of `tenant` with their actor (platform admin summary)."""
    return [tuple(row) for row in db.session.execute(audit_statement(tenant, AuditFilter()).limit(limit))]
