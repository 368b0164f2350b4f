"""「パスワードをお忘れの方」 and the reset link (issue 7 §2)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.accounts.models import AccountToken
from app.core.audit import AuditEvent
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import set_channel
from app.notifications.states import Channel, NotificationState
from tests.accounts.conftest import T, link_path, mails_to, user_named
from tests.conftest import in_tenant, login

NEW = "新しい合言葉は会津磐梯山"


def _request(client, email):
    response = client.post(f"{T}/password/forgot", data={"email": email})
    return response, client.get(response.headers["Location"]).get_data(as_text=True)


def _counts(app):
    with in_tenant(app):
        return (db.session.scalar(sa.select(sa.func.count()).select_from(Notification)),
                db.session.scalar(sa.select(sa.func.count()).select_from(AccountToken)))


def test_unknown_address_gets_the_same_answer_and_nothing_is_queued(people):
    before = _counts(people)
    unknown, unknown_page = _request(people.test_client(), "nobody@example.jp")
    assert _counts(people) == before
    known, known_page = _request(people.test_client(), "muni@example.jp")
    assert _counts(people) != before and len(mails_to(people, "muni@example.jp", "accounts.reset")) == 1
    assert (unknown.status_code, unknown.headers["Location"]) == (known.status_code, known.headers["Location"])
    assert "登録されている場合は" in unknown_page and "登録されている場合は" in known_page


def test_reset_sets_the_password_and_ends_every_session(people):
    browser = people.test_client()
    login(browser, "muni@example.jp")
    assert browser.get(f"{T}/account/password").status_code == 200
    _request(people.test_client(), "muni@example.jp")
    [mail] = mails_to(people, "muni@example.jp", "accounts.reset")
    guest = people.test_client()
    response = guest.post(link_path(mail), data={"password": NEW, "confirm": NEW})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{T}/login")
    # the link sets the password only: logging in (with the second factor, if any) is still required
    assert "/login" in guest.get(f"{T}/account/password").headers.get("Location", "")
    stale = browser.get(f"{T}/account/password")  # the session opened before the reset is over
    assert stale.status_code == 302 and "/login" in stale.headers["Location"]
    assert people.test_client().post(f"{T}/login", data={"email": "muni@example.jp", "password": "test-pass-123"}).status_code != 302
    login(people.test_client(), "muni@example.jp", NEW)
    assert guest.post(link_path(mail), data={"password": NEW + "2", "confirm": NEW + "2"}).status_code == 410
    with in_tenant(people):
        user = user_named("muni@example.jp")
        assert db.session.scalar(sa.select(AuditEvent.id).where(AuditEvent.action == "user.password_reset",
                                                                AuditEvent.target_id == user.id))


def test_reset_links_expire_after_an_hour(people, monkeypatch):
    _request(people.test_client(), "muni@example.jp")
    [mail] = mails_to(people, "muni@example.jp", "accounts.reset")
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(minutes=61)
    monkeypatch.setattr("app.accounts.tokens.now_utc", lambda: later)
    assert people.test_client().get(link_path(mail)).status_code == 410


def test_at_most_three_links_per_address_and_hour(people):
    for _ in range(5):
        _request(people.test_client(), "muni@example.jp")
    mails = mails_to(people, "muni@example.jp", "accounts.reset")
    assert len(mails) == 3
    guest = people.test_client()
    assert [guest.get(link_path(m)).status_code for m in mails] == [410, 410, 200]  # only the newest works


def test_the_reset_mail_is_sent_even_to_in_app_only_users(people):
    with in_tenant(people) as tenant:
        set_channel(tenant, user_named("muni@example.jp"), Channel.IN_APP_ONLY)
        db.session.commit()
    _request(people.test_client(), "muni@example.jp")
    [mail] = mails_to(people, "muni@example.jp", "accounts.reset")
    assert mail.state == NotificationState.QUEUED


def test_deactivated_accounts_get_no_link(people):
    with in_tenant(people):
        user_named("muni@example.jp").is_active_account = False
        db.session.commit()
    _request(people.test_client(), "muni@example.jp")
    assert mails_to(people, "muni@example.jp", "accounts.reset") == []
