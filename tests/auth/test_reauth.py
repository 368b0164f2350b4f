"""Re-authentication for sensitive actions: 10 minutes after the last password entry, confirming a
selection and bulk exports ask for the password again (and the TOTP code when enrolled)."""
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import sqlalchemy as sa

from app.applications.services import create_application, submit_application
from app.auth.models import User
from app.calls.queries import current_call
from app.calls.states import CallPhase
from app.core.audit import AuditEvent
from app.engagements.models import Engagement
from app.extensions import db
from tests import factories
from tests.applications.builders import advance, call_with_menu
from tests.auth.conftest import T
from tests.conftest import in_tenant, login

EXPORT = f"{T}/exports/engagements.xlsx?fiscal_year=2025"


@pytest.fixture
def call_id(users):
    """A call in 選定・決定 with one submitted application and a proposed selection."""
    from app.selection.services import propose_selection

    with in_tenant(users) as tenant:
        call, menu = call_with_menu(tenant, budget=2500, items=[(1, 1000)])
        application = create_application(call, factories.municipality("072010"), actor=None, choices=[menu[0]], issue="課題")
        submit_application(application, actor=None)
        advance(current_call(tenant), CallPhase.SELECTION)
        propose_selection(call, actor=None)
        db.session.commit()
        return call.id


def _engagements(app) -> int:
    with in_tenant(app):
        return db.session.scalar(sa.select(sa.func.count()).select_from(Engagement))


def _reauth_next(response) -> str:
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == f"{T}/reauth"
    return parse_qs(location.query).get("next", [""])[0]


def test_confirming_a_selection_needs_a_recent_password(users, client, clock, call_id):
    login(client, "op@example.jp")
    clock.advance(minutes=11)
    detail = f"{T}/calls/{call_id}/selection"
    response = client.post(f"{detail}/confirm", headers={"Referer": f"http://localhost{detail}"})
    assert _reauth_next(response) == detail  # a POST returns to the page it was sent from
    assert _engagements(users) == 0
    page = client.post(f"{T}/reauth?next={detail}", data={"password": "wrong-password"})
    assert page.status_code == 400 and "パスワードまたは確認コードが正しくありません" in page.get_data(as_text=True)
    response = client.post(f"{T}/reauth?next={detail}", data={"password": factories.PASSWORD})
    assert response.headers["Location"] == detail
    assert client.post(f"{detail}/confirm").status_code == 302
    assert _engagements(users) == 1
    with in_tenant(users):
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "auth.reauth" in actions and "auth.reauth_failed" in actions


def test_login_counts_as_recent_authentication(users, client, clock, call_id):
    login(client, "op@example.jp")
    clock.advance(minutes=9)
    assert client.post(f"{T}/calls/{call_id}/selection/confirm").status_code == 302
    assert _engagements(users) == 1


def test_a_bulk_export_needs_a_recent_password_and_comes_back_to_the_download(users, client, clock):
    login(client, "op@example.jp")
    assert client.get(EXPORT).status_code == 200
    clock.advance(minutes=11)
    response = client.get(EXPORT)
    next_url = _reauth_next(response)
    assert next_url == EXPORT
    assert client.get(f"{T}/reauth?next={next_url}").status_code == 200
    response = client.post(f"{T}/reauth", query_string={"next": next_url}, data={"password": factories.PASSWORD})
    assert response.headers["Location"] == EXPORT
    download = client.get(EXPORT)
    assert download.status_code == 200 and download.mimetype.endswith("spreadsheetml.sheet")


def test_reauth_of_a_totp_user_also_needs_a_fresh_code(users, client, clock):
    secret = pyotp.random_base32()
    with in_tenant(users):
        user = db.session.scalar(sa.select(User).where(User.email == "op@example.jp"))
        user.totp_secret = secret
        db.session.commit()
    client.post(f"{T}/login", data={"email": "op@example.jp", "password": factories.PASSWORD})
    client.post(f"{T}/login/mfa", data={"code": pyotp.TOTP(secret).at(clock.now)})
    clock.advance(minutes=11)
    assert client.get(EXPORT).status_code == 302
    without_code = client.post(f"{T}/reauth", data={"password": factories.PASSWORD})
    assert without_code.status_code == 400
    clock.advance(seconds=30)  # the login's code may not be used again; take the next one
    ok = client.post(f"{T}/reauth", data={"password": factories.PASSWORD, "code": pyotp.TOTP(secret).at(clock.now)})
    assert ok.status_code == 302
    assert client.get(EXPORT).status_code == 200


def test_reauth_ignores_an_external_next(users, client, clock):
    login(client, "op@example.jp")
    response = client.post(f"{T}/reauth?next=https://evil.example/", data={"password": factories.PASSWORD})
    assert response.headers["Location"] == f"{T}/"


def test_five_wrong_passwords_on_reauth_end_the_session_but_do_not_lock_the_account(users, client, clock):
    login(client, "op@example.jp")
    clock.advance(minutes=11)
    for _ in range(4):
        assert client.post(f"{T}/reauth", data={"password": "wrong-password"}).status_code == 400
    response = client.post(f"{T}/reauth", data={"password": "wrong-password"})
    assert response.status_code == 302 and response.headers["Location"] == f"{T}/login"
    assert client.get(EXPORT).status_code == 302  # the session is over
    assert client.post(f"{T}/reauth", data={"password": factories.PASSWORD}).headers["Location"] == f"{T}/login"
    login(client, "op@example.jp")  # the owner can still log in: a stolen cookie cannot lock them out
    assert client.get(EXPORT).status_code == 200


def test_reauthentication_issues_a_new_session_id(users, client, clock):
    from tests.auth.conftest import replay, session_cookie

    login(client, "op@example.jp")
    before = session_cookie(client)
    clock.advance(minutes=11)
    client.post(f"{T}/reauth", data={"password": factories.PASSWORD})
    assert client.get(EXPORT).status_code == 200
    assert replay(users, before).get(EXPORT).status_code == 302  # the pre-reauth cookie is dead


def test_changing_two_factor_settings_needs_a_recent_password(users, client, clock):
    login(client, "muni@example.jp")
    clock.advance(minutes=11)
    for action in ("confirm", "disable", "recovery-codes"):
        response = client.post(f"{T}/account/mfa/{action}", data={"code": "123456"})
        assert response.status_code == 302 and urlsplit(response.headers["Location"]).path == f"{T}/reauth"
