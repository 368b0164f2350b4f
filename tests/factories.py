"""Test data built through the services (never by assigning states by hand)."""
from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import Role
from app.auth.services import create_user
from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind

PASSWORD = "test-pass-123"


def municipality(lg_code: str) -> Organisation:
    """The synced municipality with `lg_code` in the active tenant."""
    return db.session.scalar(sa.select(Organisation).where(Organisation.lg_code == lg_code))


def office() -> Organisation:
    return db.session.scalar(sa.select(Organisation).where(Organisation.kind == OrganisationKind.OFFICE))


def provider(tenant, name: str = "テスト情報システム株式会社") -> Organisation:
    """A provider organisation (created if missing)."""
    org = db.session.scalar(sa.select(Organisation).where(Organisation.kind == OrganisationKind.PROVIDER, Organisation.name == name))
    if org is None:
        org = Organisation(tenant_id=tenant.id, kind=OrganisationKind.PROVIDER, name=name, is_sample=True)
        db.session.add(org)
        db.session.flush()
    return org


def user(tenant, role: Role, email: str, organisation: Organisation | None = None, name: str = "テスト利用者"):
    """An account with the test password; operators default to the program office."""
    if organisation is None and role in (Role.OPERATOR, Role.REVIEWER):
        organisation = office()
    return create_user(
        tenant_id=tenant.id, email=email, display_name=name, role=role, password=PASSWORD, organisation=organisation
    )
