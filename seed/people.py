"""Demo organisations and accounts (fictional, marked サンプル)."""
from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.queries import find_user_for_login
from app.auth.passwords import hash_password
from app.auth.services import create_user
from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind
from seed.samples import PROVIDERS


def ensure_user(tenant_id, email: str, name: str, role: Role, password_hash: str, organisation=None) -> User:
    """The account with `email`, created when missing."""
    user = find_user_for_login(tenant_id, email)
    if user is None:
        user = create_user(tenant_id=tenant_id, email=email, display_name=name, role=role,
                           password_hash=password_hash, organisation=organisation)
    return user


def ensure_providers(tenant) -> list[Organisation]:
    """The sample provider companies, in PROVIDERS order."""
    orgs = []
    for name in PROVIDERS:
        org = db.session.scalar(sa.select(Organisation).where(
            Organisation.kind == OrganisationKind.PROVIDER, Organisation.name == name))
        if org is None:
            org = Organisation(tenant_id=tenant.id, kind=OrganisationKind.PROVIDER, name=name, is_sample=True)
            db.session.add(org)
        orgs.append(org)
    db.session.flush()
    return orgs


def municipalities(tenant) -> list[Organisation]:
    """The tenant's municipalities in 全国地方公共団体コード order."""
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.MUNICIPALITY
    ).order_by(Organisation.lg_code)))


def office(tenant) -> Organisation:
    return db.session.scalar(sa.select(Organisation).where(
        Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.OFFICE))


def ensure_people(tenant, password: str) -> dict:
    """Every demo account: admin, operator, reviewer, one per municipality, one per provider.

    Returns `{"operator", "reviewer", "providers": [(org, user)], "municipal": {lg_code: user}}`.
    All share `password` (DEMO_PASSWORD), hashed once: argon2 is slow on purpose.
    """
    password = hash_password(password)
    ensure_user(None, "admin@demo.example", "システム管理者（サンプル）", Role.PLATFORM_ADMIN, password)
    operator = ensure_user(tenant.id, "operator@demo.example", "県 事業担当（サンプル）", Role.OPERATOR, password, office(tenant))
    reviewer = ensure_user(tenant.id, "reviewer@demo.example", "審査員（サンプル）", Role.REVIEWER, password, office(tenant))
    providers = [
        (org, ensure_user(tenant.id, f"provider-{n}@demo.example", f"{org.name} 担当（サンプル）", Role.PROVIDER, password, org))
        for n, org in enumerate(ensure_providers(tenant), start=1)
    ]
    municipal = {
        m.lg_code: ensure_user(tenant.id, f"municipal-{m.lg_code}@demo.example", f"{m.name} DX担当（サンプル）",
                               Role.MUNICIPAL, password, m)
        for m in municipalities(tenant)
    }
    return {"operator": operator, "reviewer": reviewer, "providers": providers, "municipal": municipal}
