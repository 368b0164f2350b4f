"""Tenancy: the fail-closed scoping safety net, tenant resolution, and the loader of tenants/<slug>/."""
import csv
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.tenancy.loader import TenantDefinitionError, lg_code_is_valid, read_definition, tenant_folder
from app.tenancy.transfer import import_folder
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from app.tenancy.scoping import SYSTEM, TenantScopeError, active_tenant_id, tenant_scope
from tests.conftest import in_tenant

ROOT = Path(__file__).resolve().parent.parent
FUKUSHIMA = ROOT / "tenants" / "fukushima"


def _other_tenant() -> Tenant:
    tenant = Tenant(slug="other", name="ICTエキスパート派遣事業", prefecture="静岡県", office_name="デジタル戦略課")
    db.session.add(tenant)
    db.session.flush()
    db.session.add(Organisation(tenant_id=tenant.id, kind=OrganisationKind.MUNICIPALITY, name="静岡市", lg_code="222011"))
    db.session.flush()
    return tenant


def _ids(stmt) -> set[int]:
    return set(db.session.scalars(stmt))


# --- the scoping listener ---------------------------------------------------------------------

def test_querying_tenant_data_with_no_tenant_active_raises(app):
    with app.app_context():
        assert active_tenant_id() is None
        with pytest.raises(TenantScopeError):
            db.session.scalars(sa.select(Organisation)).all()
        with pytest.raises(TenantScopeError):
            db.session.scalar(sa.select(sa.func.count(Organisation.id)))


def test_non_tenant_tables_need_no_scope(app):
    with app.app_context():
        assert db.session.scalar(sa.select(Tenant).where(Tenant.slug == "fukushima")) is not None


def test_another_tenants_rows_are_filtered_out_without_a_where(app):
    with in_tenant(app) as fukushima:
        other = _other_tenant()
        db.session.commit()
        tenants_seen = _ids(sa.select(Organisation.tenant_id))
        assert tenants_seen == {fukushima.id}
        assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 60  # 59 + the office
        assert db.session.scalar(sa.select(Organisation).where(Organisation.lg_code == "222011")) is None
        with tenant_scope(other.id):
            assert [o.name for o in db.session.scalars(sa.select(Organisation))] == ["静岡市"]
        with tenant_scope(SYSTEM):
            assert _ids(sa.select(Organisation.tenant_id)) == {fukushima.id, other.id}


def test_joined_and_aliased_queries_are_filtered_too(app):
    from sqlalchemy.orm import aliased

    with in_tenant(app):
        other = _other_tenant()
        db.session.commit()
        alias = aliased(Organisation)
        stmt = sa.select(alias.name).where(alias.kind == OrganisationKind.MUNICIPALITY)
        assert "静岡市" not in set(db.session.scalars(stmt))
        with tenant_scope(other.id):
            assert set(db.session.scalars(stmt)) == {"静岡市"}


@pytest.mark.parametrize("shape", ["select_from", "subquery"])
def test_entities_only_in_from_or_subqueries_are_filtered(app, shape):
    stmt = sa.select(sa.func.count()).select_from(Organisation)
    if shape == "subquery":
        stmt = sa.select(sa.func.count()).select_from(sa.select(Organisation.id).subquery())
    with in_tenant(app):
        other = _other_tenant()
        db.session.commit()
        with tenant_scope(other.id):
            assert db.session.scalar(stmt) == 1


def test_tenant_scope_restores_the_previous_scope(app):
    with app.app_context():
        assert active_tenant_id() is None
        with tenant_scope(1):
            with tenant_scope(2):
                assert active_tenant_id() == 2
            assert active_tenant_id() == 1
            with pytest.raises(RuntimeError), tenant_scope(SYSTEM):
                raise RuntimeError("boom")
            assert active_tenant_id() == 1
        assert active_tenant_id() is None


def test_unknown_tenant_slug_is_404(client):
    assert client.get("/t/nowhere/").status_code == 404
    assert client.get("/t/fukushima/").status_code == 200


def test_suspended_tenant_is_closed_and_preparing_is_404(app, client):
    from app.tenancy.states import TenantStatus

    for status, code in ((TenantStatus.SUSPENDED, 503), (TenantStatus.PREPARING, 404), (TenantStatus.OPEN, 200)):
        with app.app_context():
            tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "fukushima"))
            tenant.status = status
            db.session.commit()
        assert client.get("/t/fukushima/").status_code == code


# --- the loader -------------------------------------------------------------------------------

def _copy(tmp_path: Path, name: str = "fukushima") -> Path:
    folder = tmp_path / name
    shutil.copytree(FUKUSHIMA, folder)
    return folder


def test_fukushima_definition_reads():
    definition = read_definition(FUKUSHIMA)
    assert definition.slug == "fukushima"
    assert len(definition.municipalities) == 59
    assert definition.rules["priority_lookback_years"] == 2 and definition.rules["coverage_window_years"] == 3
    assert all(c["code"] and c["label"] for c in definition.categories)


def test_lg_code_check_digit():
    codes = [row["lg_code"] for row in csv.DictReader((FUKUSHIMA / "municipalities.csv").open(encoding="utf-8"))]
    assert all(lg_code_is_valid(code) for code in codes)
    assert not lg_code_is_valid("072011")  # 福島市 is 072010
    for bad in ("07201", "0720100", "07201a", "０７２０１０", ""):
        assert not lg_code_is_valid(bad)


def test_loader_rejects_a_wrong_check_digit(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "municipalities.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("072010,福島市", "072011,福島市"), encoding="utf-8")
    with pytest.raises(TenantDefinitionError, match=r"municipalities\.csv:2: lg_code '072011'"):
        read_definition(folder)


def test_loader_rejects_a_missing_required_key(tmp_path):
    folder = _copy(tmp_path)
    toml = folder / "tenant.toml"
    lines = [line for line in toml.read_text(encoding="utf-8").splitlines() if not line.startswith("office_name")]
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(TenantDefinitionError, match=r"tenant\.toml: office_name: 必須のキーです"):
        read_definition(folder)


def test_loader_rejects_a_slug_that_is_not_the_folder_name(tmp_path):
    folder = _copy(tmp_path, "miyagi")
    with pytest.raises(TenantDefinitionError, match="slug: フォルダ名 'miyagi' と同じにしてください"):
        read_definition(folder)


def test_loader_rejects_a_missing_column(tmp_path):
    folder = _copy(tmp_path)
    path = folder / "municipalities.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(r.rsplit(",", 1)[0] for r in rows) + "\n", encoding="utf-8")
    with pytest.raises(TenantDefinitionError, match="missing columns evacuation_area_12"):
        read_definition(folder)


def test_importing_again_is_unchanged_and_writes_nothing(app):
    def snapshot():
        with tenant_scope(tenant.id):
            stmt = sa.select(Organisation.id, Organisation.lg_code).where(Organisation.kind == OrganisationKind.MUNICIPALITY)
            return sorted(db.session.execute(stmt).all())

    with app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "fukushima"))
        before = snapshot()
        again, status = import_folder(tenant_folder(app.config["TENANTS_DIR"], "fukushima"))
        assert (again.id, status) == (tenant.id, "unchanged")
        db.session.commit()
        after = snapshot()
        assert len(after) == 59 and after == before
        with tenant_scope(tenant.id):
            assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == 60
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Tenant)) == 1


def test_synced_municipalities_carry_the_master_data(app):
    with in_tenant(app):
        city = db.session.scalar(sa.select(Organisation).where(Organisation.lg_code == "072044"))
        assert (city.name, city.municipality_kind, city.region, city.area) == ("いわき市", "市", "いわき", "浜通り")
        evacuation = db.session.scalars(sa.select(Organisation.name).where(Organisation.is_evacuation_area.is_(True))).all()
        assert len(evacuation) == 12 and "飯舘村" in evacuation


def test_shipped_master_data_holds_all_59_municipalities_with_valid_codes():
    """tenants/fukushima/municipalities.csv (copied from the prefecture's master data, README there):
    13 市, 31 町, 15 村, 12 in the evacuation area, every code with its check digit."""
    with (FUKUSHIMA / "municipalities.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    kinds = [r["kind"] for r in rows]
    assert (len(rows), kinds.count("市"), kinds.count("町"), kinds.count("村")) == (59, 13, 31, 15)
    assert sum(r["evacuation_area_12"] == "1" for r in rows) == 12
    assert all(lg_code_is_valid(r["lg_code"]) for r in rows)
