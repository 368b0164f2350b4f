"""Arranging audit trails for the tests: events at chosen times, a second tenant, logins."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind, Tenant

UTC = dt.timezone.utc


def utc(text: str) -> dt.datetime:
    """`"2024-05-15 15:30"` as an aware UTC datetime."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def event(tenant_id: int, action: str, at: dt.datetime, *, actor=None, target_type: str = "", target_id=None,
          changes=None, request_id: str = "", ip: str = "") -> AuditEvent:
    """An audit event written at `at` (record_audit always stamps now)."""
    row = AuditEvent(tenant_id=tenant_id, actor_id=getattr(actor, "id", None), actor_role=str(getattr(actor, "role", "") or "system"),
                     action=action, target_type=target_type, target_id=target_id, changes=changes or {},
                     request_id=request_id, ip=ip, at=at)
    db.session.add(row)
    return row


def other_tenant() -> Tenant:
    """A second tenant with its program office (for cross-tenant checks)."""
    tenant = Tenant(slug="shizuoka-test", name="ICTエキスパート派遣事業", prefecture="静岡県", office_name="デジタル戦略課")
    db.session.add(tenant)
    db.session.flush()
    db.session.add(Organisation(tenant_id=tenant.id, kind=OrganisationKind.OFFICE, name="静岡県 デジタル戦略課"))
    db.session.flush()
    return tenant


def events(*conditions) -> list[AuditEvent]:
    """Audit events matching `conditions`, oldest first."""
    return list(db.session.scalars(sa.select(AuditEvent).where(*conditions).order_by(AuditEvent.id)))
