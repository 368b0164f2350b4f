"""The audit trail and the state history are append-only in the database itself: raw SQL UPDATE and
DELETE (and, on PostgreSQL, TRUNCATE) are refused on both backends, and so are the foreign-key
actions that would rewrite them (deleting a user or a tenant that has history)."""
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from app.auth.models import Role
from app.core.audit import record_audit, record_transition
from app.extensions import db
from tests import factories
from tests.audit.helpers import other_tenant
from tests.conftest import in_tenant

STATEMENTS = [
    "UPDATE audit_events SET action = 'forged'",
    "UPDATE audit_events SET actor_id = NULL",
    "DELETE FROM audit_events",
    "UPDATE state_changes SET to_state = 'forged'",
    "DELETE FROM state_changes",
]


@pytest.fixture
def history(app):
    with in_tenant(app) as tenant:
        actor = factories.user(tenant, Role.OPERATOR, "op@example.jp")
        target = factories.municipality("072010")
        record_transition("sample", target, None, "draft", actor=actor)
        record_audit("sample.action", tenant_id=tenant.id, actor=actor, target=target)
        db.session.commit()
        return {"tenant": tenant.id, "user": actor.id}


def _counts() -> tuple[int, int, int]:
    return (db.session.scalar(sa.text("SELECT count(*) FROM audit_events")),
            db.session.scalar(sa.text("SELECT count(*) FROM audit_events WHERE action = 'forged' OR actor_id IS NULL")),
            db.session.scalar(sa.text("SELECT count(*) FROM state_changes WHERE to_state = 'draft'")))


@pytest.mark.parametrize("statement", STATEMENTS)
def test_raw_update_and_delete_are_refused(app, history, statement):
    with app.app_context():
        before = _counts()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(sa.text(statement))
        db.session.rollback()
        assert _counts() == before


def test_truncate_is_refused_on_postgresql(app, history):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has no TRUNCATE")
        for table in ("audit_events", "state_changes"):
            with pytest.raises(DBAPIError, match="append-only"):
                db.session.execute(sa.text(f"TRUNCATE {table} CASCADE"))
            db.session.rollback()


def test_deleting_a_user_with_history_is_refused(app, history):
    """ON DELETE SET NULL would blank the actor: refused (users are anonymised by the retention
    command, never deleted)."""
    with app.app_context():
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(sa.text("DELETE FROM users WHERE id = :user"), history)
        db.session.rollback()
        assert db.session.scalar(sa.text("SELECT count(*) FROM audit_events WHERE actor_id = :user"), history) == 2


def test_deleting_a_tenant_with_history_is_refused(app):
    """ON DELETE CASCADE would erase the tenant's trail: refused, even for a tenant with nothing else."""
    with app.app_context():
        tenant = other_tenant()
        record_audit("sample.action", tenant_id=tenant.id)
        db.session.execute(sa.text("DELETE FROM organisations WHERE tenant_id = :t"), {"t": tenant.id})
        db.session.commit()
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(sa.text("DELETE FROM tenants WHERE id = :t"), {"t": tenant.id})
        db.session.rollback()
        assert db.session.scalar(sa.text("SELECT count(*) FROM audit_events WHERE tenant_id = :t"), {"t": tenant.id}) == 1


def test_inserting_stays_possible(app, history):
    with in_tenant(app) as tenant:
        record_audit("sample.more", tenant_id=tenant.id)
        db.session.commit()
        assert db.session.scalar(sa.text("SELECT count(*) FROM audit_events WHERE action = 'sample.more'")) == 1
