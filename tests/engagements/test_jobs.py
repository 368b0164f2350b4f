"""Engagement notices through the scheduler with frozen time (`now` passed explicitly): 滞留 at most
once a week to the provider's staff until a session is logged; the 実績報告 reminder 7 days before
its due date, then weekly while overdue, until the report is filed."""
import datetime as dt

import sqlalchemy as sa

from app.calls.models import Call
from app.core.clock import JST
from app.engagements import services
from app.engagements.jobs import REPORT_DUE, REPORT_OVERDUE, STALE
from app.engagements.models import Engagement
from app.engagements.states import EngagementState
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.timings import set_call_timings
from app.scheduling import run_job
from tests.conftest import in_tenant
from tests.engagements import builders


def at(day: str, hour: int = 7) -> dt.datetime:
    """`hour`:30 JST on `day` as the aware UTC datetime a scheduler would pass."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=30, tzinfo=JST).astimezone(dt.timezone.utc)


def notices(app, kind: str) -> list[Notification]:
    with in_tenant(app):
        rows = list(db.session.scalars(sa.select(Notification).where(Notification.kind == kind).order_by(Notification.id)))
        db.session.expunge_all()
        return rows


def run(app, job_id: str, *days: str) -> None:
    with app.app_context():
        for day in days:
            assert run_job(job_id, now=at(day), tenant_slugs=["fukushima"])[0].status == "done"


def _started_on(app, kickoff: str) -> int:
    with in_tenant(app) as tenant:
        builders.users(tenant)
        engagement = builders.started(tenant)
        engagement.kickoff_at = at(kickoff, hour=10)
        db.session.commit()
        return engagement.id


def test_stale_engagement_is_notified_to_its_provider_once_a_week_until_a_session_is_logged(app):
    engagement_id = _started_on(app, "2025-01-06")
    run(app, "engagements.stale_notices", "2025-02-02")  # 4 weeks not yet over
    assert notices(app, STALE) == []
    run(app, "engagements.stale_notices", "2025-02-04", "2025-02-05", "2025-02-09")  # Tue–Sun: one week
    [first] = notices(app, STALE)
    assert first.email == "prov@example.jp" and "支援が滞っています" in first.subject
    assert first.link.endswith(f"/t/fukushima/engagements/{engagement_id}")
    run(app, "engagements.stale_notices", "2025-02-10")  # next ISO week
    assert len(notices(app, STALE)) == 2
    with in_tenant(app):
        services.log_session(db.session.get(Engagement, engagement_id), actor=None, held_on=dt.date(2025, 2, 12),
                             format="onsite", duration_minutes=60, attendees={"担当職員": 2}, content="現状を確認した。",
                             proposals_count=1, today=dt.date(2025, 2, 12))
        db.session.commit()
    run(app, "engagements.stale_notices", "2025-02-17")
    assert len(notices(app, STALE)) == 2, "no notice once a session is logged"


def _completed_without_report(app, completed: str) -> int:
    """A COMPLETED engagement (completed on `completed` JST, report due 30 days later) with no report."""
    with in_tenant(app) as tenant:
        builders.users(tenant)
        engagement = builders.engagement(tenant, state=EngagementState.ACCEPTED)
        services.confirm_session(builders.log(engagement), actor=None)
        services.complete_engagement(engagement, actor=None)
        engagement.completed_at = at(completed, hour=10)
        db.session.commit()
        return engagement.id


def test_report_reminder_before_due_then_weekly_while_overdue_until_filed(app):
    engagement_id = _completed_without_report(app, "2025-03-01")  # due 2025-03-31
    run(app, "engagements.report_notices", "2025-03-23")
    assert notices(app, REPORT_DUE) == []
    run(app, "engagements.report_notices", "2025-03-24", "2025-03-31")
    [due] = notices(app, REPORT_DUE)
    assert due.email == "prov@example.jp" and "2025年3月31日" in due.subject
    run(app, "engagements.report_notices", "2025-04-01", "2025-04-07")
    assert len(notices(app, REPORT_OVERDUE)) == 1
    run(app, "engagements.report_notices", "2025-04-08")
    overdue = notices(app, REPORT_OVERDUE)
    assert [n.email for n in overdue] == ["prov@example.jp"] * 2 and "過ぎています" in overdue[1].subject
    with in_tenant(app):
        services.submit_report(db.session.get(Engagement, engagement_id), actor=None, summary="要約", outcomes="成果")
        db.session.commit()
    run(app, "engagements.report_notices", "2025-04-15")
    assert len(notices(app, REPORT_OVERDUE)) == 2, "no reminder once the report is filed"


def test_the_tenant_and_the_engagements_call_set_the_report_reminder_days(app):
    """[notices] report_due_days_before = 3 moves the first notice to 3 days before the due date; the
    call's 通知設定 (report_overdue_every_days = 2) makes the overdue notices every 2 days."""
    engagement_id = _completed_without_report(app, "2025-03-01")  # due 2025-03-31
    with in_tenant(app) as tenant:
        tenant.rules = {**tenant.rules, "notices": {"report_due_days_before": 3}}
        call = db.session.get(Call, db.session.get(Engagement, engagement_id).call_id)
        set_call_timings(call, {"report_overdue_every_days": 2}, actor=None)
        db.session.commit()
    run(app, "engagements.report_notices", "2025-03-24", "2025-03-27")
    assert notices(app, REPORT_DUE) == [], "not 7 days before any more"
    run(app, "engagements.report_notices", "2025-03-28")
    assert len(notices(app, REPORT_DUE)) == 1
    run(app, "engagements.report_notices", "2025-04-01", "2025-04-02", "2025-04-03")
    assert len(notices(app, REPORT_OVERDUE)) == 2, "overdue on 04-01 and again on 04-03"
