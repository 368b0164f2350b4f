"""Read-side queries of 組織管理, filtered by tenant by hand (the scoping listener is the safety net)."""
from __future__ import annotations

from collections.abc import Iterable

import sqlalchemy as sa
from flask import abort

from app.auth.models import User
from app.core.pagination import Page, paginate
from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind

# Kinds managed on these pages; the program office (OFFICE) comes from the tenant's own settings.
MANAGED_KINDS = (OrganisationKind.MUNICIPALITY, OrganisationKind.PROVIDER,
                 OrganisationKind.BOARD_OF_EDUCATION, OrganisationKind.CHAMBER_OF_COMMERCE)
OTHER_BODY_KINDS = (OrganisationKind.BOARD_OF_EDUCATION, OrganisationKind.CHAMBER_OF_COMMERCE)


def managed_kinds(tenant) -> list[OrganisationKind]:
    """The kinds this tenant uses, in tab order: municipalities (coverage counts them, 001:165),
    providers, and the other applicant bodies its `rules.applicant_kinds` accept (003:1643)."""
    accepted = set(tenant.rule("applicant_kinds", ["municipality"]) or [])
    return [OrganisationKind.MUNICIPALITY, OrganisationKind.PROVIDER,
            *(k for k in OTHER_BODY_KINDS if k.value in accepted)]


def kind_label(tenant, kind: OrganisationKind) -> str:
    """The tab / heading label of `kind`: providers take the tenant's `provider_label`
    (会員企業, ICTエキスパート, 委託アドバイザー…), the others their own label."""
    return (tenant.provider_label or kind.label) if kind == OrganisationKind.PROVIDER else kind.label


def organisations_page(tenant, kind: OrganisationKind, *, search: str = "", active: bool | None = None,
                       page: int = 1) -> Page:
    """One page of the tenant's organisations of `kind`: municipalities by 全国地方公共団体コード,
    others by よみがな and name. `search` matches part of the name, the よみがな or the start of
    the code (LIKE wildcards are taken literally); `active` None shows both states. Two queries."""
    stmt = sa.select(Organisation).where(Organisation.tenant_id == tenant.id, Organisation.kind == kind)
    if search:
        stmt = stmt.where(sa.or_(Organisation.name.contains(search, autoescape=True),
                                 Organisation.kana.contains(search, autoescape=True),
                                 Organisation.lg_code.startswith(search, autoescape=True)))
    if active is not None:
        stmt = stmt.where(Organisation.is_active.is_(active))
    order = ((Organisation.lg_code,) if kind == OrganisationKind.MUNICIPALITY
             else (Organisation.kana, Organisation.name))
    return paginate(stmt.order_by(*order, Organisation.id), page)


def user_counts(tenant, organisation_ids: Iterable[int]) -> dict[int, int]:
    """Active accounts per organisation id (one query for a page); organisations without any are absent."""
    ids = list(organisation_ids)
    if not ids:
        return {}
    stmt = (sa.select(User.organisation_id, sa.func.count()).where(
        User.tenant_id == tenant.id, User.organisation_id.in_(ids), User.is_active_account.is_(True))
        .group_by(User.organisation_id))
    return {org_id: count for org_id, count in db.session.execute(stmt)}


def organisation_or_404(tenant, organisation_id: int) -> Organisation:
    """The managed organisation `organisation_id` of `tenant` (any state), or abort 404 (other
    tenants' organisations and the program office do not exist here)."""
    org = db.session.scalar(sa.select(Organisation).where(
        Organisation.id == organisation_id, Organisation.tenant_id == tenant.id, Organisation.kind.in_(MANAGED_KINDS)))
    if org is None:
        abort(404)
    return org


def same_name(tenant, kind: OrganisationKind, name: str, *, exclude_id: int | None = None) -> Organisation | None:
    """The organisation of `kind` named `name` in `tenant` (either state), other than `exclude_id`."""
    stmt = sa.select(Organisation).where(Organisation.tenant_id == tenant.id, Organisation.kind == kind,
                                         Organisation.name == name)
    if exclude_id is not None:
        stmt = stmt.where(Organisation.id != exclude_id)
    return db.session.scalar(stmt.limit(1))


def same_lg_code(tenant, lg_code: str, *, exclude_id: int | None = None) -> Organisation | None:
    """The organisation of `tenant` holding 全国地方公共団体コード `lg_code`, other than `exclude_id`."""
    stmt = sa.select(Organisation).where(Organisation.tenant_id == tenant.id, Organisation.lg_code == lg_code)
    if exclude_id is not None:
        stmt = stmt.where(Organisation.id != exclude_id)
    return db.session.scalar(stmt.limit(1))


def active_providers(tenant, *, exclude_id: int | None = None) -> list[Organisation]:
    """The tenant's active providers other than `exclude_id` (the one-adviser rule, 003:1605)."""
    stmt = sa.select(Organisation).where(Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.PROVIDER,
                                         Organisation.is_active.is_(True))
    if exclude_id is not None:
        stmt = stmt.where(Organisation.id != exclude_id)
    return list(db.session.scalars(stmt.order_by(Organisation.name)))
