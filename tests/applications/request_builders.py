"""Arrange the sample tenants (shizuoka-sample, miyagi-sample) for the 派遣依頼 tests."""
from __future__ import annotations

import sqlalchemy as sa

from app.calls.services import create_call
from app.extensions import db
from app.menus.models import MenuItem
from app.questionnaires.transfer import load_missing
from app.tenancy.loader import read_definition, sync_tenant, tenant_folder
from app.tenancy.models import Organisation
from app.tenancy.scoping import tenant_scope


def sync_sample(app, slug: str) -> None:
    """Load tenants/<slug> into the test database (committed)."""
    with app.app_context():
        folder = tenant_folder(app.config["TENANTS_DIR"], slug)
        tenant = sync_tenant(read_definition(folder))
        with tenant_scope(tenant.id):
            load_missing(tenant, folder)
        db.session.commit()


def body(name: str) -> Organisation:
    """The applicant body (or expert) called `name` in the active tenant."""
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name))


def request_call(tenant, fiscal_year: int = 2026):
    """The `fiscal_year` call of a sample tenant (open for 派遣依頼) and its menu by theme title."""
    call = create_call(tenant, fiscal_year=fiscal_year, budget_thousand_yen=0, actor=None)
    items = {i.title: i for i in db.session.scalars(sa.select(MenuItem).where(MenuItem.call_id == call.id))}
    return call, items
