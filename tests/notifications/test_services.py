"""Queuing: idempotent with a dedupe key, in-app only for users who chose it, per-tenant templates."""
import sqlalchemy as sa

from app.auth.models import Role
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.services import mark_all_read, queue_notification, set_channel
from app.notifications.states import Channel, NotificationState
from app.notifications.texts import render
from tests import factories
from tests.conftest import in_tenant


def test_queuing_twice_with_the_same_key_queues_once(app):
    with in_tenant(app) as tenant:
        user = factories.user(tenant, Role.MUNICIPAL, "m@example.jp", factories.municipality("072010"))
        first = queue_notification(tenant, user, "calls.open", {"call_title": "募集"}, dedupe_key="k1")
        second = queue_notification(tenant, user, "calls.open", {"call_title": "募集"}, dedupe_key="k1")
        assert first is not None and second is None
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Notification)) == 1
        assert first.state == NotificationState.QUEUED and first.organisation_id == user.organisation_id


def test_a_user_who_chose_in_app_only_gets_no_mail_but_sees_the_notice(app):
    with in_tenant(app) as tenant:
        user = factories.user(tenant, Role.MUNICIPAL, "m@example.jp", factories.municipality("072010"))
        set_channel(tenant, user, Channel.IN_APP_ONLY)
        row = queue_notification(tenant, user, "calls.open", {"call_title": "募集"})
        assert row.state == NotificationState.IN_APP_ONLY and row.read_at is None
        assert mark_all_read(tenant, user) == 1


def test_a_tenant_override_replaces_a_template_and_unknown_placeholders_stay_visible(app):
    with in_tenant(app) as tenant:
        tenant.notification_texts = {"calls.open": {"subject": "{prefecture}からのお知らせ：{call_title}",
                                                    "body": "{unknown} {office_name}"}}
        text = render(tenant, "calls.open", {"call_title": "令和7年度募集"})
        closing = render(tenant, "calls.closing_soon", {"ends_on": "6月14日"})
    assert text.subject == "福島県からのお知らせ：令和7年度募集"
    assert text.body.startswith("{unknown} 市町村行政課")
    assert "6月14日" in closing.subject  # not overridden: the default
