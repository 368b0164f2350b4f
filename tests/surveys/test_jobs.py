"""Survey notices through the scheduler and the outbox, with frozen time (`now` passed explicitly):
「事後アンケートのお願い」 once when the survey is requested; reminders from 3 days before the due
date, weekly, until answered; never twice a day (ledger and dedupe keys)."""
import datetime as dt

import sqlalchemy as sa

from app.auth.models import Role
from app.calls.models import Call
from app.core.clock import JST
from app.engagements.models import Engagement
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.timings import set_call_timings
from app.scheduling import run_job
from app.surveys.jobs import send_reminders
from app.surveys.models import SurveyRequest
from app.surveys.notices import REMINDER, REQUEST
from app.surveys.requests import request_survey
from app.surveys.services import submit_survey
from tests import factories
from tests.conftest import in_tenant
from tests.engagements import builders

DUE = dt.date(2025, 1, 31)
ANSWERS = {"problem_solved": "つながった", "satisfaction": 4, "next_wish": "はい"}


def at(day: str, hour: int = 6) -> dt.datetime:
    """`hour`:40 JST on `day` as the aware UTC datetime a scheduler would pass."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, minute=40, tzinfo=JST).astimezone(dt.timezone.utc)


def _notices(app, kind: str) -> list[Notification]:
    with in_tenant(app):
        rows = list(db.session.scalars(sa.select(Notification).where(Notification.kind == kind).order_by(Notification.id)))
        db.session.expunge_all()
        return rows


def _arrange(app) -> int:
    """Municipal staff of 福島市 (one active, one inactive) and 会津若松市, and a completed engagement
    of 福島市 whose survey is due on DUE; returns the engagement id."""
    with in_tenant(app) as tenant:
        builders.users(tenant)
        inactive = factories.user(tenant, Role.MUNICIPAL, "left@example.jp", factories.municipality(builders.FUKUSHIMA))
        inactive.is_active_account = False
        engagement = builders.completed(tenant)
        db.session.scalar(sa.select(SurveyRequest)).due_on = DUE
        db.session.commit()
        return engagement.id


def _remind(app, day: str) -> str:
    with app.app_context():
        outcome = run_job("surveys.reminders", now=at(day), tenant_slugs=["fukushima"])[0]
    assert outcome.status in ("done", "skipped"), outcome
    return outcome.status


def test_completion_queues_the_request_notice_once_to_active_staff_of_the_municipality(app):
    engagement_id = _arrange(app)
    with in_tenant(app):
        engagement = db.session.get(Engagement, engagement_id)
        request_survey(engagement, actor=None)  # the existing request: nothing queued again
        db.session.commit()
    with app.app_context():
        run_job("surveys.requests", now=at("2025-01-10"), tenant_slugs=["fukushima"])
    [notice] = _notices(app, REQUEST)
    assert notice.email == "muni@example.jp"
    assert "事後アンケートのお願い" in notice.subject and "情報セキュリティポリシー見直し" in notice.subject
    assert "テスト情報システム株式会社" in notice.body and "回答期限：" in notice.body
    assert notice.link.endswith(f"/t/fukushima/engagements/{engagement_id}/survey") and "token" not in notice.link
    assert notice.dedupe_key.startswith(f"{REQUEST}:")


def test_reminders_start_3_days_before_due_repeat_weekly_and_stop_once_answered(app):
    engagement_id = _arrange(app)
    for day in ("2025-01-20", "2025-01-27"):  # before the reminder period
        _remind(app, day)
    assert _notices(app, REMINDER) == []
    _remind(app, "2025-01-28")  # due - 3 days: first reminder
    for day in ("2025-01-29", "2025-02-03"):  # within the week
        _remind(app, day)
    assert len(_notices(app, REMINDER)) == 1
    _remind(app, "2025-02-04")  # a week later, past due: second reminder
    reminders = _notices(app, REMINDER)
    assert [n.email for n in reminders] == ["muni@example.jp"] * 2
    assert "2025年1月31日" in reminders[1].subject and "まだご回答をいただいていません" in reminders[1].body
    with in_tenant(app):
        request = db.session.scalar(sa.select(SurveyRequest))
        assert request.reminder_count == 2 and len(request.reminders) == 2 and request.link_token_hash is None
        submit_survey(db.session.get(Engagement, engagement_id), actor=None, answers=ANSWERS)
        db.session.commit()
    _remind(app, "2025-02-11")
    assert len(_notices(app, REMINDER)) == 2, "no reminder once answered"
    assert len(_notices(app, REQUEST)) == 1, "answering queues no new request notice"


def test_two_runs_the_same_day_queue_one_reminder(app):
    _arrange(app)
    assert _remind(app, "2025-02-10") == "done"
    with app.app_context():
        late = run_job("surveys.reminders", now=at("2025-02-10", hour=23), tenant_slugs=["fukushima"])[0]
    assert late.status == "skipped"  # the ledger: one run per JST day
    with in_tenant(app) as tenant:  # run by hand, bypassing the ledger: the weekly gate holds
        assert send_reminders(tenant, at("2025-02-10", hour=12)).startswith("アンケート督促 0件")
        db.session.commit()
    assert len(_notices(app, REMINDER)) == 1


def test_the_tenant_and_the_call_set_when_survey_reminders_start_and_repeat(app):
    """[notices] survey_reminder_days_before = 10; the engagement's call: every 3 days."""
    engagement_id = _arrange(app)
    with in_tenant(app) as tenant:
        tenant.rules = {**tenant.rules, "notices": {"survey_reminder_days_before": 10}}
        call = db.session.get(Call, db.session.get(Engagement, engagement_id).call_id)
        set_call_timings(call, {"survey_reminder_every_days": 3}, actor=None)
        db.session.commit()
    _remind(app, "2025-01-20")
    assert _notices(app, REMINDER) == [], "11 days before the due date"
    _remind(app, "2025-01-21")
    _remind(app, "2025-01-23")
    assert len(_notices(app, REMINDER)) == 1, "not again within 3 days"
    _remind(app, "2025-01-24")
    assert len(_notices(app, REMINDER)) == 2
