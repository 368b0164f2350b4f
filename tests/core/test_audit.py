"""Audit trail and state history, written in the caller's transaction."""
import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEvent, StateChange, history_for, record_audit, record_transition
from app.extensions import db
from tests import factories
from tests.conftest import in_tenant


def test_record_transition_writes_history_and_audit(app):
    with in_tenant(app) as tenant:
        actor = factories.user(tenant, Role.OPERATOR, "op@example.jp")
        target = factories.municipality("072010")
        record_transition("sample", target, None, "draft", actor=actor)
        record_transition("sample", target, "draft", "sent", actor=actor, note="確認済み")
        db.session.commit()
        rows = history_for("sample", target.id)
        assert [(r.from_state, r.to_state, r.note) for r in rows] == [(None, "draft", ""), ("draft", "sent", "確認済み")]
        assert all(r.actor_id == actor.id and r.tenant_id == tenant.id for r in rows)
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "sample.transition").order_by(AuditEvent.id)).all()
        assert [e.changes for e in events] == [{"state": [None, "draft"]}, {"state": ["draft", "sent"], "note": "確認済み"}]
        assert events[1].actor_role == "operator" and events[1].target_type == "organisations" and events[1].target_id == target.id


def test_history_is_per_object_and_workflow(app):
    with in_tenant(app):
        a, b = factories.municipality("072010"), factories.municipality("072028")
        record_transition("sample", a, None, "draft", actor=None)
        record_transition("sample", b, None, "draft", actor=None)
        record_transition("other", a, None, "draft", actor=None)
        db.session.flush()
        assert len(history_for("sample", a.id)) == 1


def test_record_audit_without_request_or_actor(app):
    with in_tenant(app) as tenant:
        event = record_audit("export.coverage", tenant_id=tenant.id, changes={"rows": 59})
        db.session.commit()
        assert (event.actor_id, event.actor_role, event.request_id, event.ip) == (None, "system", "", "")
        assert db.session.scalar(sa.select(sa.func.count(StateChange.id))) == 0


def test_record_audit_in_a_request_keeps_the_request_id(app):
    with app.test_request_context("/", headers={"X-Request-Id": "req-123"}, environ_base={"REMOTE_ADDR": "192.0.2.1"}):
        app.preprocess_request()
        event = record_audit("login.failure", tenant_id=None, changes={"email": "x"})
        assert (event.request_id, event.ip) == ("req-123", "192.0.2.1")
