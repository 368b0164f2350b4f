"""Read side of the platform admin pages: one tenant's summary (no personal data beyond the
actors of its recent audit events). Tenant-owned tables are read inside `tenant_scope(tenant.id)`
and filtered by hand as well; users (not auto-scoped) by `User.tenant_id`."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.audit.queries import recent_events
from app.auth.models import Role, User
from app.calls.models import Call
from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from app.tenancy.scoping import tenant_scope


@dataclass
class TenantSummary:
    """What a platform admin sees of a tenant: organisations by kind, active/all users by role,
    calls (newest fiscal year first) and the newest audit events `(AuditEvent, User|None)`."""

    tenant: Tenant
    organisations: dict[OrganisationKind, int]
    users: dict[Role, tuple[int, int]]
    calls: list[Call]
    events: list[tuple]

    @property
    def organisation_total(self) -> int:
        """All organisations of the tenant."""
        return sum(self.organisations.values())


MAX_ID = 2**31 - 1  # INTEGER primary keys: a larger id from the URL would be a database error on PostgreSQL


def get_tenant(tenant_id: int) -> Tenant | None:
    """The tenant `tenant_id`, or None (also for ids beyond the INTEGER range)."""
    if not 0 < tenant_id <= MAX_ID:
        return None
    return db.session.scalar(sa.select(Tenant).where(Tenant.id == tenant_id))


def _users_by_role(tenant: Tenant) -> dict[Role, tuple[int, int]]:
    active = sa.func.sum(sa.case((User.is_active_account.is_(True), 1), else_=0))
    stmt = sa.select(User.role, active, sa.func.count(User.id)).where(User.tenant_id == tenant.id).group_by(User.role)
    return {Role(role): (int(on or 0), total) for role, on, total in db.session.execute(stmt)}


def tenant_summary(tenant: Tenant, *, events: int = 20) -> TenantSummary:
    """The summary of `tenant` (four queries plus the events), read in the tenant's scope."""
    with tenant_scope(tenant.id):
        kinds = db.session.execute(sa.select(Organisation.kind, sa.func.count(Organisation.id))
                                   .where(Organisation.tenant_id == tenant.id).group_by(Organisation.kind))
        organisations = {OrganisationKind(kind): count for kind, count in kinds}
        calls = list(db.session.scalars(sa.select(Call).where(Call.tenant_id == tenant.id)
                                        .order_by(Call.fiscal_year.desc(), Call.id.desc())))
        return TenantSummary(tenant, organisations, _users_by_role(tenant), calls, recent_events(tenant, events))
