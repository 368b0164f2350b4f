"""Pages: the operator's 送信メール and schedule, the bulk preview then 「送信」, the user's in-app
notifications with the unread count in the header, read marks and the channel preference."""
import sqlalchemy as sa

from app.auth.models import Role, User
from app.calls.jobs import NUDGE, OPEN, queue_open_notices
from app.calls.models import Call
from app.calls.states import CallPhase
from app.extensions import db
from app.notifications.models import Notification, NotificationPreference
from app.notifications.services import queue_notification
from app.notifications.states import Channel
from tests import factories
from tests.applications.builders import call_with_menu
from tests.calls.test_jobs import at
from tests.conftest import in_tenant, login

BASE = "/t/fukushima"


def _world(app) -> dict:
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        municipal = factories.user(tenant, Role.MUNICIPAL, "m@example.jp", factories.municipality("072010"))
        other = factories.user(tenant, Role.MUNICIPAL, "m2@example.jp", factories.municipality("072028"))
        call, _menu = call_with_menu(tenant, fiscal_year=2025)
        mine = queue_notification(tenant, municipal, "calls.closing_soon", {"call_title": "令和7年度募集", "ends_on": "6月14日"})
        theirs = queue_notification(tenant, other, "calls.closing_soon", {"call_title": "令和7年度募集", "ends_on": "6月14日"})
        db.session.commit()
        return {"call": call.id, "mine": mine.id, "theirs": theirs.id}


def test_the_user_sees_own_notifications_with_the_unread_count_and_marks_them_read(app, client):
    ids = _world(app)
    login(client, "m@example.jp")
    page = client.get(f"{BASE}/notifications").get_data(as_text=True)
    assert "未読 1 件" in page and "申込受付は6月14日までです" in page
    assert client.post(f"{BASE}/notifications/{ids['theirs']}/read").status_code == 404
    assert client.post(f"{BASE}/notifications/{ids['mine']}/read").status_code == 302
    page = client.get(f"{BASE}/notifications").get_data(as_text=True)
    assert "未読 1 件" not in page and "既読" in page


def test_the_preference_page_stores_in_app_only(app, client):
    _world(app)
    login(client, "m@example.jp")
    assert client.post(f"{BASE}/notifications/preferences", data={"channel": "bogus"}).status_code == 400
    assert client.post(f"{BASE}/notifications/preferences", data={"channel": "in_app_only"}).status_code == 302
    with in_tenant(app):
        assert db.session.scalar(sa.select(NotificationPreference.channel)) == Channel.IN_APP_ONLY


def test_the_operator_previews_the_call_open_notice_then_sends_it_once(app, client):
    ids = _world(app)
    assert client.get(f"{BASE}/outbox").status_code == 302  # login first
    login(client, "m@example.jp")
    assert client.get(f"{BASE}/outbox").status_code == 404
    assert client.get(f"{BASE}/calls/{ids['call']}/open-notice").status_code == 404
    client.post(f"{BASE}/logout")
    login(client, "op@example.jp")
    preview = client.get(f"{BASE}/calls/{ids['call']}/open-notice").get_data(as_text=True)
    assert "申込受付を開始しました" in preview and "m2@example.jp" in preview and "送信" in preview
    for _ in range(2):
        assert client.post(f"{BASE}/calls/{ids['call']}/open-notice").status_code == 302
    with in_tenant(app):
        kinds = db.session.scalars(sa.select(Notification.kind)).all()
    assert kinds.count(OPEN) == 2 and kinds.count(NUDGE) == 2  # both municipalities are priority, none applied
    outbox = client.get(f"{BASE}/outbox?state=queued&kind=calls.open").get_data(as_text=True)
    assert outbox.count("申込受付を開始しました</summary>") == 2 and "までです</summary>" not in outbox
    assert client.get(f"{BASE}/outbox?state=nonsense").status_code == 200
    assert f"/calls/{ids['call']}/open-notice" in outbox  # the link to the preview of the open call


def test_a_call_not_taking_applications_cannot_be_announced(app, client):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        factories.user(tenant, Role.MUNICIPAL, "m@example.jp", factories.municipality("072010"))
        call, _menu = call_with_menu(tenant, fiscal_year=2025, phase=CallPhase.SELECTION)
        db.session.commit()
        call_id = call.id
    login(client, "op@example.jp")
    page = client.get(f"{BASE}/calls/{call_id}/open-notice").get_data(as_text=True)
    assert "申込受付中ではないため" in page and 'type="submit" class="button">送信' not in page
    assert client.post(f"{BASE}/calls/{call_id}/open-notice").status_code == 409
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 0


def test_the_schedule_page_lists_jobs_and_past_runs(app, client):
    from app.scheduling import run_job

    _world(app)
    with app.app_context():
        run_job("calls.open_notices", tenant_slugs=["fukushima"])
    login(client, "op@example.jp")
    page = client.get(f"{BASE}/jobs").get_data(as_text=True)
    assert "calls.open_notices" in page and "募集開始のお知らせ 2 件" in page and "次回実行" in page


def test_the_bulk_notice_page_previews_what_the_jobs_will_send_without_queuing(app, client, monkeypatch):
    """On 2025-05-01 the FY2025 call's open notice (planned 2025-05-16) and closing reminder are shown
    with their recipients and a rendered sample; nothing enters the outbox."""
    _world(app)
    with in_tenant(app):
        before = db.session.scalar(sa.select(sa.func.count()).select_from(Notification))
    monkeypatch.setattr("app.notifications.views.now_utc", lambda: at("2025-05-01"))
    login(client, "op@example.jp")
    page = client.get(f"{BASE}/bulk-notices").get_data(as_text=True)
    assert "募集開始のお知らせ" in page and "5月16日" in page
    assert "申込受付を開始しました" in page, "the rendered subject of the sample"
    assert "2 名（うち未送信 2 名）" in page, "both municipal users, none queued yet"
    assert "申込締切前のお知らせ" in page
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == before
    with in_tenant(app) as tenant:
        queue_open_notices(tenant, db.session.get(Call, _call_id(tenant)))
        db.session.commit()
    assert "2 名（うち未送信 0 名）" in client.get(f"{BASE}/bulk-notices").get_data(as_text=True)


def test_the_bulk_notice_page_is_for_operators_only(app, client):
    _world(app)
    login(client, "m@example.jp")
    assert client.get(f"{BASE}/bulk-notices").status_code in (403, 404)


def _call_id(tenant) -> int:
    return db.session.scalar(sa.select(Call.id).where(Call.tenant_id == tenant.id, Call.fiscal_year == 2025))


def test_the_outbox_hides_password_links_unless_mail_is_only_stored(app, client):
    """An invitation or reset link sets a password: with real mail (smtp) only its recipient may see
    it, so 送信メール shows the subject, not the body; the local "store" backend shows it."""
    _world(app)
    with in_tenant(app) as tenant:
        municipal = db.session.scalar(sa.select(User).where(User.email == "m@example.jp"))
        queue_notification(tenant, municipal, "accounts.reset", {"url": "https://example.jp/reset/SECRET-TOKEN", "expires_in": "1時間"},
                           link="https://example.jp/reset/SECRET-TOKEN")
        db.session.commit()
    login(client, "op@example.jp")
    app.config["MAIL_BACKEND"] = "smtp"
    page = client.get(f"{BASE}/outbox").get_data(as_text=True)
    assert "SECRET-TOKEN" not in page and "表示しません" in page
    assert "申込受付は6月14日までです" in page  # other mail keeps its body
    app.config["MAIL_BACKEND"] = "store"
    assert "SECRET-TOKEN" in client.get(f"{BASE}/outbox").get_data(as_text=True)
