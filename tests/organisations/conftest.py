"""Fixtures of the 組織管理 tests: an operator client, users of the other roles, and a way to give
Fukushima the program shape under test (provider model, applicant kinds)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEvent
from app.extensions import db
from app.tenancy.loader import lg_code_is_valid
from app.tenancy.models import Organisation
from tests import factories
from tests.conftest import in_tenant, login

URL = "/t/fukushima/organisations"


@pytest.fixture
def people(app):
    """operator op@, municipal muni@ (福島市), provider prov@, reviewer rev@ (password factories.PASSWORD)."""
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", factories.municipality("072010"))
        factories.user(tenant, Role.PROVIDER, "prov@example.jp", factories.provider(tenant))
        factories.user(tenant, Role.REVIEWER, "rev@example.jp")
        db.session.commit()
    return app


@pytest.fixture
def operator(people):
    client = people.test_client()
    login(client, "op@example.jp")
    return client


def set_rules(app, **rules) -> None:
    """Give Fukushima other program rules (e.g. provider_model="expert_themes")."""
    with in_tenant(app) as tenant:
        tenant.rules = {**tenant.rules, **rules}
        db.session.commit()


def valid_code(prefix: str) -> str:
    """The 全国地方公共団体コード starting with the 5 digits `prefix` (its check digit appended)."""
    return next(prefix + d for d in "0123456789" if lg_code_is_valid(prefix + d))


def org_named(name: str) -> Organisation | None:
    return db.session.scalar(sa.select(Organisation).where(Organisation.name == name))


def audits(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def count_orgs() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
