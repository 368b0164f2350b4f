"""`flask seed synthetic`: the benchmark tenant is fictional, well-formed, idempotent and never
built in production."""
import sqlalchemy as sa

from app.applications.models import Application
from app.applications.queries import priority_flags
from app.calls.models import Call
from app.calls.states import CallPhase
from app.extensions import db
from app.menus.models import MenuItem
from app.tenancy.loader import lg_code_is_valid
from app.tenancy.models import Organisation, OrganisationKind
from seed.synthetic import synthetic_lg_code
from tests.conftest import in_tenant

SMALL = ["seed", "synthetic", "--municipalities", "60", "--items", "20", "--providers", "5"]


def test_lg_codes_are_valid_and_obviously_synthetic():
    codes = [synthetic_lg_code(i) for i in range(1, 1742)]
    assert all(lg_code_is_valid(c) and c.startswith("9") for c in codes)
    assert len(set(codes)) == 1741


def test_builds_a_call_in_selection_once(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=SMALL)
    assert result.exit_code == 0, result.output
    assert "60 municipalities" in result.output
    assert "nothing loaded" in runner.invoke(args=SMALL).output
    with in_tenant(app, "synthetic") as tenant:
        assert tenant.is_sample
        call = db.session.scalar(sa.select(Call).where(Call.tenant_id == tenant.id, Call.fiscal_year == 2024))
        assert call.phase == CallPhase.SELECTION and call.menu_published_at is not None
        munis = db.session.scalars(sa.select(Organisation).where(
            Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.MUNICIPALITY)).all()
        assert len(munis) == 60 and all(m.is_sample and m.name.startswith("サンプル") for m in munis)
        items = db.session.scalars(sa.select(MenuItem).where(MenuItem.call_id == call.id)).all()
        assert len(items) == 20 and all(i.number for i in items)
        applications = db.session.scalars(sa.select(Application).where(Application.call_id == call.id)).all()
        assert len(applications) == 60 and {len(a.choices) for a in applications} == {3}
        _, priority = priority_flags(tenant, call, {m.id for m in munis})
        assert 0 < len(priority) < 60


def test_refused_in_production(app):
    app.config["APP_ENV"] = "production"
    result = app.test_cli_runner().invoke(args=SMALL)
    assert result.exit_code != 0 and "production" in result.output
