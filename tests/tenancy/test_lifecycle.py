"""What each tenant status (準備中・公開中・停止中・終了) leaves open, for each kind of visitor, on
pages, the open-data API and exports; and that jobs and outbox mail skip a closed tenant."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import queue_notification
from app.notifications.states import NotificationState
from app.scheduling import run_job
from app.tenancy.models import Tenant
from app.tenancy.states import TenantStatus
from tests import factories
from tests.conftest import in_tenant, login

T = "/t/fukushima"
PUBLIC = (f"{T}/", f"{T}/menu", f"{T}/coverage")
API = f"{T}/api/v1/municipalities"
EXPORT = f"{T}/exports/calls.xlsx"
OPERATOR_PAGE = f"{T}/calls"
MUNICIPAL_PAGE = f"{T}/applications"


@pytest.fixture
def people(app):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", organisation=factories.municipality("072010"))
        db.session.commit()
    return app


def _set_status(app, status: TenantStatus) -> None:
    with app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "fukushima"))
        tenant.status = status
        db.session.commit()


def _logged_in(app, email):
    client = app.test_client()
    login(client, email)
    return client


@pytest.mark.parametrize("status", [TenantStatus.SUSPENDED, TenantStatus.ARCHIVED])
def test_a_closed_tenant_shows_the_stopped_page_everywhere_and_reopening_restores_it(people, status):
    operator, municipal, guest = _logged_in(people, "op@example.jp"), _logged_in(people, "muni@example.jp"), people.test_client()
    _set_status(people, status)
    for client, paths in ((guest, PUBLIC), (operator, (OPERATOR_PAGE, EXPORT, f"{T}/users")), (municipal, (MUNICIPAL_PAGE,))):
        for path in paths:
            response = client.get(path)
            body = response.get_data(as_text=True)
            assert response.status_code == 503, path
            assert "停止中" in body and "福島県 市町村行政課" in body, path
            assert "福島市" not in body  # no data of the program
            assert response.headers["X-Request-Id"] and response.headers["Cache-Control"] == "no-store"
    # Logging in is closed too (the form is not even shown).
    assert guest.get(f"{T}/login").status_code == 503
    assert guest.post(f"{T}/login", data={"email": "op@example.jp", "password": factories.PASSWORD}).status_code == 503
    api = guest.get(API)
    assert api.status_code == 503 and "停止中" in api.get_json()["error"]
    if status == TenantStatus.SUSPENDED:
        _set_status(people, TenantStatus.OPEN)
        assert operator.get(OPERATOR_PAGE).status_code == 200  # the session survived the suspension
        assert municipal.get(MUNICIPAL_PAGE).status_code == 200
        assert guest.get(f"{T}/menu").status_code == 200 and guest.get(API).status_code == 200


def test_a_preparing_tenant_is_for_its_operators_only(people):
    _set_status(people, TenantStatus.PREPARING)
    guest = people.test_client()
    for path in PUBLIC:
        response = guest.get(path)
        assert response.status_code == 404 and "準備中" in response.get_data(as_text=True), path
    assert guest.get(API).status_code == 404 and "error" in guest.get(API).get_json()
    # Sign-in stays open, and the operator then works as usual …
    assert guest.get(f"{T}/login").status_code == 200
    operator = _logged_in(people, "op@example.jp")
    assert operator.get(OPERATOR_PAGE).status_code == 200 and operator.get(f"{T}/").status_code == 200
    assert operator.get(API).status_code == 200
    # … while a municipal user of the same tenant sees nothing yet.
    municipal = _logged_in(people, "muni@example.jp")
    assert municipal.get(MUNICIPAL_PAGE).status_code == 404 and municipal.get(f"{T}/").status_code == 404
    # Users of another tenant are anonymous here (404 too); the root page does not list it.
    assert "福島県" not in guest.get("/").get_data(as_text=True)


def test_opening_a_preparing_tenant_makes_it_public(people):
    _set_status(people, TenantStatus.PREPARING)
    _set_status(people, TenantStatus.OPEN)
    guest = people.test_client()
    assert guest.get(f"{T}/menu").status_code == 200 and guest.get(API).status_code == 200
    assert "福島県" in guest.get("/").get_data(as_text=True)


NOW = dt.datetime(2025, 6, 2, 1, 0, tzinfo=dt.timezone.utc)


def _queue_mail(app) -> int:
    with in_tenant(app) as tenant:
        user = db.session.scalar(sa.select(User).where(User.email == "op@example.jp"))
        row = queue_notification(tenant, user, "accounts.reset", {"name": "x", "expires_in": "1時間"}, link="http://x/")
        db.session.commit()
        return row.id


def _mail_state(app, notification_id: int) -> NotificationState:
    with in_tenant(app):
        return db.session.get(Notification, notification_id).state


def test_jobs_and_outbox_mail_skip_a_suspended_tenant_and_resume_when_reopened(people):
    notification_id = _queue_mail(people)
    _set_status(people, TenantStatus.SUSPENDED)
    with people.app_context():
        assert run_job("notifications.deliver_outbox", now=NOW) == []
        assert run_job("calls.open_notices", now=NOW) == []
    assert _mail_state(people, notification_id) == NotificationState.QUEUED
    result = people.test_cli_runner().invoke(args=["jobs", "run", "notifications.deliver_outbox", "--tenant", "fukushima"])
    assert result.exit_code != 0 and "suspended" in result.output
    _set_status(people, TenantStatus.OPEN)
    with people.app_context():
        [outcome] = run_job("notifications.deliver_outbox", now=NOW)
    assert outcome.tenant == "fukushima" and outcome.status == "done"
    assert _mail_state(people, notification_id) != NotificationState.QUEUED


def test_jobs_still_run_for_a_preparing_tenant(people):
    _set_status(people, TenantStatus.PREPARING)
    with people.app_context():
        assert [o.tenant for o in run_job("notifications.deliver_outbox", now=NOW)] == ["fukushima"]
