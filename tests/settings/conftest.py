"""Fixtures of the 事業設定 tests: an operator and a municipal user of Fukushima, logged in."""
import pytest

from app.auth.models import Role
from app.extensions import db
from tests import factories
from tests.conftest import in_tenant, login


@pytest.fixture
def operator(app, client):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp", name="県 担当")
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", factories.municipality("072010"))
        db.session.commit()
    login(client, "op@example.jp")
    return client


def version(app) -> int:
    with in_tenant(app) as tenant:
        return tenant.version_id
