"""`flask backup` / `flask restore` round trip on the suite's backend (TEST_DATABASE_URL → PostgreSQL)."""
import uuid

import pytest
import sqlalchemy as sa

from app import create_app
from app.core.audit import record_audit
from app.extensions import db
from app.ops import backup as backups
from tests.conftest import PG_URL, _config, in_tenant


@pytest.fixture
def empty_db(templates, tmp_path):
    """URL of a brand-new empty database (no schema) on the suite's backend."""
    url = templates.create_empty(f"restore_{uuid.uuid4().hex[:8]}")
    yield url
    templates.drop(url)


def _invoke(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_backup_and_restore_into_an_empty_database_reproduce_every_table(demo_app, empty_db, tmp_path):
    source = demo_app.config["SQLALCHEMY_DATABASE_URI"]
    with in_tenant(demo_app) as tenant:
        record_audit("test.before_backup", tenant_id=tenant.id, changes={"note": "日本語 ✓"})
        db.session.commit()
        db.session.remove()
    before = backups.table_fingerprints(source)
    assert before["users"][0] > 0 and before["audit_events"][0] > 0 and "alembic_version" in before

    path = tmp_path / "backups" / "demo.backup"
    result = _invoke(demo_app, "backup", str(path))
    assert result.exit_code == 0, result.output
    assert path.is_file() and path.stat().st_size > 0

    target = create_app(_config(empty_db, tmp_path))
    result = _invoke(target, "restore", str(path))  # empty target: no --yes needed
    assert result.exit_code == 0, result.output
    assert backups.table_fingerprints(empty_db) == before
    with target.app_context():
        db.engine.dispose()


def test_restore_refuses_to_overwrite_data_without_yes_and_replaces_it_with_yes(demo_app, tmp_path):
    url = demo_app.config["SQLALCHEMY_DATABASE_URI"]
    path = tmp_path / "demo.backup"
    assert _invoke(demo_app, "backup", str(path)).exit_code == 0
    before = backups.table_fingerprints(url)
    with in_tenant(demo_app) as tenant:
        record_audit("test.after_backup", tenant_id=tenant.id)
        db.session.commit()
        db.session.remove()
    changed = backups.table_fingerprints(url)
    assert changed["audit_events"] != before["audit_events"]

    refused = _invoke(demo_app, "restore", str(path))
    assert refused.exit_code != 0 and "--yes" in refused.output
    assert backups.table_fingerprints(url) == changed  # nothing touched

    assert _invoke(demo_app, "restore", str(path), "--yes").exit_code == 0
    assert backups.table_fingerprints(url) == before


def test_restore_of_a_missing_file_fails_clearly(app, tmp_path):
    result = _invoke(app, "restore", str(tmp_path / "nope.backup"), "--yes")
    assert result.exit_code != 0 and "not found" in result.output


@pytest.mark.skipif(bool(PG_URL), reason="SQLite backup files only")
def test_sqlite_restore_rejects_a_file_that_is_not_a_backup(app, tmp_path):
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"this is not a database" * 100)
    before = backups.table_fingerprints(app.config["SQLALCHEMY_DATABASE_URI"])
    result = _invoke(app, "restore", str(junk), "--yes")
    assert result.exit_code != 0 and "not a SQLite backup" in result.output
    assert backups.table_fingerprints(app.config["SQLALCHEMY_DATABASE_URI"]) == before


def test_pg_tools_get_the_password_from_the_environment_never_argv(monkeypatch, tmp_path):
    calls = []

    class Done:
        returncode, stderr = 0, ""

    monkeypatch.setattr(backups.subprocess, "run", lambda argv, **kw: calls.append((argv, kw["env"])) or Done())
    url = "postgresql+psycopg://ops:S3cret%40pw@db.internal:5433/ictad?sslmode=require"
    backups.backup_database(url, tmp_path / "x.dump")
    monkeypatch.setattr(backups, "has_data", lambda url: False)
    (tmp_path / "x.dump").write_bytes(b"PGDMP")
    backups.restore_database(url, tmp_path / "x.dump")
    (dump_argv, env), (restore_argv, _) = calls
    assert dump_argv[0] == "pg_dump" and "--format=custom" in dump_argv
    assert restore_argv[0] == "pg_restore" and {"--clean", "--if-exists", "--no-owner"} <= set(restore_argv)
    assert not any("S3cret" in arg for arg in dump_argv + restore_argv)
    assert env["PGPASSWORD"] == "S3cret@pw" and env["PGHOST"] == "db.internal" and env["PGPORT"] == "5433"
    assert env["PGUSER"] == "ops" and env["PGDATABASE"] == "ictad" and env["PGSSLMODE"] == "require"


def test_has_data_ignores_an_empty_migrated_schema(app, empty_app):
    assert backups.has_data(app.config["SQLALCHEMY_DATABASE_URI"])  # the Fukushima tenant is imported
    assert not backups.has_data(empty_app.config["SQLALCHEMY_DATABASE_URI"])  # schema only
