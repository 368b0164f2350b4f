"""The schema comes from the migrations only, and they match the models (`flask db check`)."""
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db


def test_migrated_schema_matches_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []


def test_create_app_does_not_touch_the_database(tmp_path):
    from app import create_app

    target = tmp_path / "never-created.sqlite"
    create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{target}", "SECRET_KEY": "x"})
    assert not target.exists()


def test_the_tenant_status_migration_keeps_every_tenants_rows(templates, tmp_path):
    """is_active → status in place: true → open, false → suspended, and no row of any tenant lost
    (a SQLite table rebuild of `tenants` would cascade-delete its organisations)."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from tests.conftest import ROOT, _config

    url = templates.create_empty(f"status_{tmp_path.name[-12:]}".replace("-", "_").lower())
    app = create_app(_config(url, tmp_path))
    directory = str(ROOT / "migrations")
    try:
        with app.app_context():
            upgrade(directory=directory, revision="o3_audit_append_only")
            now = "2025-01-01 00:00:00"
            for slug, active in (("a", True), ("b", False)):
                db.session.execute(sa.text(
                    "INSERT INTO tenants (slug, name, prefecture, office_name, council_name, provider_label, is_active,"
                    " is_sample, rules, calendar, categories, created_at, updated_at) VALUES (:s, 'n', 'p', 'o', '', 'x',"
                    " :a, false, '{}', '{}', '[]', :t, :t)"), {"s": slug, "a": active, "t": now})
            db.session.execute(sa.text(
                "INSERT INTO organisations (tenant_id, kind, name, kana, municipality_kind, district, region, area,"
                " is_evacuation_area, is_sample, is_active, themes, created_at, updated_at) SELECT id, 'office', 'x', '',"
                " '', '', '', '', false, false, true, '[]', :t, :t FROM tenants"), {"t": now})
            db.session.commit()
            upgrade(directory=directory, revision="heads")
            rows = db.session.execute(sa.text("SELECT slug, status FROM tenants ORDER BY slug")).all()
            assert [tuple(r) for r in rows] == [("a", "open"), ("b", "suspended")]
            assert db.session.execute(sa.text("SELECT count(*) FROM organisations")).scalar() == 2
            db.session.commit()
            downgrade(directory=directory, revision="o3_audit_append_only")
            assert db.session.execute(sa.text("SELECT count(*) FROM organisations")).scalar() == 2
            db.session.remove()
            db.engine.dispose()
    finally:
        templates.drop(url)
