"""Who receives a notice: the active staff of active organisations, by role — the one query every
domain's jobs use to address municipalities, providers, reviewers and operators."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import sqlalchemy as sa

from app.auth.models import Role, User
from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind


def active_staff(tenant, *roles: Role, organisation_ids: Iterable[int] | None = None,
                 organisation_kind: OrganisationKind | None = None) -> list[User]:
    """Active users of `roles` in `tenant` whose organisation (if any) is active, by organisation
    then user id (one query). `organisation_ids` / `organisation_kind` narrow it."""
    stmt = (sa.select(User).outerjoin(Organisation, User.organisation_id == Organisation.id)
            .where(User.tenant_id == tenant.id, User.role.in_(roles), User.is_active_account.is_(True),
                   sa.or_(User.organisation_id.is_(None), Organisation.is_active.is_(True)))
            .order_by(User.organisation_id, User.id))
    if organisation_ids is not None:
        stmt = stmt.where(User.organisation_id.in_(set(organisation_ids)))
    if organisation_kind is not None:
        stmt = stmt.where(Organisation.kind == organisation_kind)
    return list(db.session.scalars(stmt))


def staff_by_organisation(tenant, *roles: Role, organisation_ids: Iterable[int] | None = None,
                          organisation_kind: OrganisationKind | None = None) -> dict[int, list[User]]:
    """`{organisation_id: [users]}` of `active_staff` with the same arguments."""
    staff: dict[int, list[User]] = defaultdict(list)
    for user in active_staff(tenant, *roles, organisation_ids=organisation_ids, organisation_kind=organisation_kind):
        staff[user.organisation_id].append(user)
    return staff
