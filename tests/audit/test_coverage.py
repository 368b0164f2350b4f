"""Every audited action kind, performed over HTTP as a user would, leaves exactly one AuditEvent
with the right action, actor, role, tenant, target, request id and IP; and the event shares the
change's transaction (a change that is rolled back leaves no audit row). User and role changes are
covered by the accounts tests."""
from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from app.applications.services import create_application, submit_application
from app.auth.models import User
from app.calls.queries import current_call
from app.calls.states import CallPhase
from app.core.audit import AuditEvent, record_audit
from app.engagements import attachments
from app.extensions import db
from app.imports.models import ImportRun
from app.imports.states import ImportKind
from app.selection.models import Allocation
from app.selection.services import propose_selection
from app.tenancy.models import Organisation
from tests import factories
from tests.applications.builders import advance, call_with_menu
from tests.audit.helpers import events
from tests.conftest import in_tenant, login
from tests.engagements import builders
from tests.imports.helpers import from_template

BASE = "/t/fukushima"
IP = "203.0.113.9"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class Case:
    """`arrange(app, client)` builds the data (and logs in) and returns ids; `act(client, ids,
    headers)` performs the audited request, answered with one of `statuses`; the event expected is
    `action` by `actor` (e-mail or None) in `role` on `target(ids)` = (table, id or None)."""

    action: str
    arrange: Callable
    act: Callable
    actor: str | None
    role: str
    target: Callable[[dict], tuple[str, int | None]]
    statuses: tuple[int, ...] = (200, 302)


def _users(app) -> dict:
    with in_tenant(app) as tenant:
        emails = builders.users(tenant)
        db.session.commit()
        return {"op_id": db.session.scalar(sa.select(User.id).where(User.email == "op@example.jp")), **emails}


def _post(client, url, headers, **kwargs):
    return client.post(url, headers=headers, environ_base={"REMOTE_ADDR": IP}, **kwargs)


def _get(client, url, headers):
    return client.get(url, headers=headers, environ_base={"REMOTE_ADDR": IP})


def _login_act(password):
    return lambda client, ids, headers: _post(client, f"{BASE}/login", headers,
                                              data={"email": "op@example.jp", "password": password})


def _draft_application(app, client) -> dict:
    ids = _users(app)
    with in_tenant(app) as tenant:
        call, menu = call_with_menu(tenant)
        application = create_application(call, factories.municipality("072010"), actor=None, choices=[menu[0]], issue="課題")
        db.session.commit()
        ids["application"] = application.id
    login(client, "muni@example.jp")
    return ids


def _proposed_selection(app, client) -> dict:
    ids = _users(app)
    with in_tenant(app) as tenant:
        call, menu = call_with_menu(tenant, items=[(1, 1000)])
        application = create_application(call, factories.municipality("072010"), actor=None, choices=[menu[0]], issue="課題")
        submit_application(application, actor=None)
        advance(current_call(tenant), CallPhase.SELECTION)
        propose_selection(call, actor=None)
        db.session.commit()
        ids["allocation"] = db.session.scalar(sa.select(Allocation.id).where(Allocation.application_id == application.id))
    login(client, "op@example.jp")
    return ids


def _operator(app, client) -> dict:
    ids = _users(app)
    login(client, "op@example.jp")
    return ids


def _attachment(app, client) -> dict:
    ids = _users(app)
    with in_tenant(app) as tenant:
        session = builders.log(builders.started(tenant))
        [attachment] = attachments.attach_files(session, [attachments.Upload("報告.pdf", PDF)], actor=None)
        db.session.commit()
        ids["attachment"] = attachment.id
    login(client, "muni@example.jp")
    return ids


def _previewed_import(app, client) -> dict:
    ids = _operator(app, client)
    with in_tenant(app) as tenant:
        data = from_template(tenant, ImportKind.MUNICIPALITIES, [["072010", "ふくしま市", "", "市", "", "県北", "中通り", "0"]])
    response = client.post(f"{BASE}/imports", data={"kind": "municipalities", "file": (io.BytesIO(data), "マスタ.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    with in_tenant(app):
        ids["run"] = db.session.scalar(sa.select(ImportRun.id))
    return ids


CASES = {
    "login": Case("auth.login", lambda app, client: _users(app), _login_act(factories.PASSWORD), "op@example.jp", "operator",
                  lambda ids: ("users", ids["op_id"])),
    "failed login": Case("auth.login_failed", lambda app, client: _users(app), _login_act("wrong-password-1"), None, "system",
                         lambda ids: ("users", ids["op_id"]), statuses=(400,)),
    "application transition": Case(
        "application.transition", _draft_application,
        lambda client, ids, h: _post(client, f"{BASE}/applications/{ids['application']}/submit", h),
        "muni@example.jp", "municipal", lambda ids: ("applications", ids["application"])),
    "selection adjustment": Case(
        "allocation.adjust", _proposed_selection,
        lambda client, ids, h: _post(client, f"{BASE}/allocations/{ids['allocation']}/adjust", h,
                                     data={f"a{ids['allocation']}-decision": ""}),
        "op@example.jp", "operator", lambda ids: ("allocations", ids["allocation"])),
    "excel export": Case(
        "export.download", _operator, lambda client, ids, h: _get(client, f"{BASE}/exports/program_figures.xlsx", h),
        "op@example.jp", "operator", lambda ids: ("", None)),
    "attachment download": Case(
        "attachment.download", _attachment, lambda client, ids, h: _get(client, f"{BASE}/attachments/{ids['attachment']}", h),
        "muni@example.jp", "municipal", lambda ids: ("session_attachments", ids["attachment"])),
    "import confirm": Case(
        "import.apply", _previewed_import, lambda client, ids, h: _post(client, f"{BASE}/imports/{ids['run']}/confirm", h),
        "op@example.jp", "operator", lambda ids: ("import_runs", ids["run"])),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("sent_request_id", [True, False], ids=["client-request-id", "generated-request-id"])
def test_each_audited_action_over_http_leaves_one_complete_event(app, client, name, sent_request_id):
    case = CASES[name]
    ids = case.arrange(app, client)
    with in_tenant(app):
        before = {e.id for e in events(AuditEvent.action == case.action)}
    headers = {"X-Request-Id": f"rid-{name.replace(' ', '-')}"} if sent_request_id else {}
    response = case.act(client, ids, headers)
    assert response.status_code in case.statuses, response.get_data(as_text=True)[:300]
    with in_tenant(app) as tenant:
        [event] = [e for e in events(AuditEvent.action == case.action) if e.id not in before]
        actor = db.session.scalar(sa.select(User).where(User.email == case.actor)) if case.actor else None
        assert (event.tenant_id, event.actor_id, event.actor_role) == (tenant.id, getattr(actor, "id", None), case.role)
        assert (event.target_type, event.target_id) == case.target(ids)
        assert event.ip == IP
        assert event.request_id and event.request_id == headers.get("X-Request-Id", event.request_id)
        exposed = response.headers.get("X-Request-Id")
        assert exposed is None or exposed == event.request_id


def _rename_then_fail(organisation: Organisation, *, actor) -> None:
    """A service that changes data, audits it, flushes, and then fails (e.g. a rule checked late)."""
    organisation.name = "書き換え後"
    record_audit("organisation.rename", tenant_id=organisation.tenant_id, actor=actor, target=organisation)
    db.session.flush()
    raise RuntimeError("late failure")


def test_a_rolled_back_change_leaves_no_audit_row(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.route("/t/<tenant_slug>/test-failing-change", methods=["POST"])
    def failing_change(tenant_slug):
        from flask_login import current_user

        _rename_then_fail(factories.municipality("072010"), actor=current_user)
        db.session.commit()  # never reached

    client = app.test_client()
    _users(app)
    login(client, "op@example.jp")
    assert client.post(f"{BASE}/test-failing-change").status_code == 500
    with in_tenant(app):
        assert factories.municipality("072010").name == "福島市"
        assert events(AuditEvent.action == "organisation.rename") == []


def test_a_rolled_back_service_call_outside_http_leaves_no_audit_row(app):
    with in_tenant(app):
        with pytest.raises(RuntimeError):
            _rename_then_fail(factories.municipality("072010"), actor=None)
        db.session.rollback()
        assert factories.municipality("072010").name == "福島市" and events(AuditEvent.action == "organisation.rename") == []
