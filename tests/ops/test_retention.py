"""`flask retention run`: personal data of long-inactive, deactivated users goes; the audit trail stays."""
import datetime as dt
import secrets

import pytest
import sqlalchemy as sa

from app.auth.models import RecoveryCode, Role, User, UserSession
from app.auth.passwords import verify_password
from app.core.audit import AuditEvent, StateChange, record_audit
from app.core.clock import now_utc
from app.extensions import db
from app.notifications.models import Notification, NotificationPreference
from app.ops.retention import ANONYMISED_NAME, anonymised_email
from tests import factories
from tests.conftest import in_tenant

OLD = now_utc() - dt.timedelta(days=1200)


def _person(tenant, email: str, *, active: bool, last_login: dt.datetime | None, created: dt.datetime = OLD) -> int:
    user = factories.user(tenant, Role.MUNICIPAL, email, organisation=factories.municipality("072010"), name="福島 太郎")
    user.is_active_account, user.last_login_at, user.created_at = active, last_login, created
    user.totp_secret = "JBSWY3DPEHPK3PXP"
    db.session.add(Notification(tenant_id=tenant.id, user_id=user.id, kind="calls.open", email=email,
                                subject="募集開始", body="福島 太郎 様"))
    db.session.add(NotificationPreference(tenant_id=tenant.id, user_id=user.id))
    db.session.add(UserSession(tenant_id=tenant.id, user_id=user.id, token_hash=secrets.token_hex(32), created_at=OLD,
                               last_seen_at=OLD, authenticated_at=OLD, ip="192.0.2.1", user_agent="Firefox"))
    db.session.add(RecoveryCode(user_id=user.id, code_hash=secrets.token_hex(32)))
    db.session.flush()
    db.session.add(StateChange(tenant_id=tenant.id, workflow="application", object_id=1, from_state=None,
                               to_state="submitted", actor_id=user.id))
    record_audit("application.submit", tenant_id=tenant.id, actor=user, target=user)
    return user.id


@pytest.fixture
def people(app):
    with in_tenant(app) as tenant:
        ids = {
            "gone": _person(tenant, "gone@example.jp", active=False, last_login=OLD),
            "never_logged_in": _person(tenant, "never@example.jp", active=False, last_login=None),
            "recent": _person(tenant, "recent@example.jp", active=False, last_login=now_utc() - dt.timedelta(days=30)),
            "active_old": _person(tenant, "active@example.jp", active=True, last_login=OLD),
        }
        db.session.commit()
    return ids


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=["retention", "run", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _user(app, user_id: int) -> User:
    with in_tenant(app):
        return db.session.get(User, user_id)


def _count(app, model, **where) -> int:
    with in_tenant(app):
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).filter_by(**where))


def test_deactivated_users_inactive_beyond_the_period_are_anonymised_and_the_audit_trail_kept(app, people):
    output = _run(app)
    assert "anonymised 2 users" in output
    for key in ("gone", "never_logged_in"):
        user = _user(app, people[key])
        assert (user.email, user.display_name) == (anonymised_email(user.id), ANONYMISED_NAME)
        assert not verify_password(user.password_hash, factories.PASSWORD) and not user.is_active_account
        assert user.totp_secret is None
        for model in (Notification, NotificationPreference, UserSession, RecoveryCode):
            assert _count(app, model, user_id=user.id) == 0, model
        assert _count(app, StateChange, actor_id=user.id) == 1  # history still names the (anonymised) actor
        assert _count(app, AuditEvent, actor_id=user.id, action="application.submit") == 1
        assert _count(app, AuditEvent, target_id=user.id, action="user.retention_anonymised") == 1
    for key in ("recent", "active_old"):  # too recent, or still active: untouched
        user = _user(app, people[key])
        assert user.display_name == "福島 太郎" and verify_password(user.password_hash, factories.PASSWORD)
        assert _count(app, Notification, user_id=user.id) == 1 and _count(app, UserSession, user_id=user.id) == 1


def test_the_audit_event_holds_no_personal_data(app, people):
    _run(app)
    with in_tenant(app):
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.retention_anonymised",
                                                              AuditEvent.target_id == people["gone"]))
    assert "gone@example.jp" not in str(event.changes) and "福島" not in str(event.changes)
    assert event.changes["inactive_days"] == 1095


def test_a_second_run_changes_nothing(app, people):
    _run(app)
    assert "anonymised 0 users" in _run(app)
    assert _count(app, AuditEvent, action="user.retention_anonymised") == 2


def test_dry_run_only_counts(app, people):
    assert "2 users would be anonymised" in _run(app, "--dry-run")
    assert _user(app, people["gone"]).email == "gone@example.jp"
    assert _count(app, AuditEvent, action="user.retention_anonymised") == 0


def test_days_option_and_config_set_the_period(app, people):
    assert "3 users would be anonymised" in _run(app, "--dry-run", "--days", "10")
    app.config["RETENTION_INACTIVE_DAYS"] = 5000
    assert "0 users would be anonymised" in _run(app, "--dry-run")
