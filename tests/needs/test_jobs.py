"""Needs-survey jobs with frozen time (now passed explicitly): the round-open notice to every
municipality's staff, and the reminder from 7 days before the close to those who have not answered."""
import datetime as dt

import sqlalchemy as sa

from app.auth.models import Role
from app.extensions import db
from app.needs.jobs import OPEN, REMINDER
from app.needs.models import NeedsSurveyRound
from app.needs.services import record_needs_response, save_needs_round
from app.notifications.models import Notification
from app.scheduling import run_job
from tests import factories
from tests.calls.test_jobs import at
from tests.conftest import in_tenant

CODES = {"fukushima": "072010", "koriyama": "072036", "iwaki": "072044"}
# Across the fiscal-year boundary: open 2025-03-20, close 2025-04-05 (reminder from 03-29).
OPENS, CLOSES = dt.date(2025, 3, 20), dt.date(2025, 4, 5)


def _arrange(app) -> dict[str, int]:
    with in_tenant(app) as tenant:
        save_needs_round(tenant, fiscal_year=2025, opens_on=OPENS, closes_on=CLOSES, actor=None)
        orgs = {k: factories.municipality(code) for k, code in CODES.items()}
        for key, org in orgs.items():
            factories.user(tenant, Role.MUNICIPAL, f"{key}@example.jp", org)
        db.session.commit()
        return {k: o.id for k, o in orgs.items()}


def _run(app, job_id: str, day: str):
    with app.app_context():
        return run_job(job_id, now=at(day), tenant_slugs=["fukushima"])[0]


def _orgs(app, kind: str) -> list[int]:
    with in_tenant(app):
        return list(db.session.scalars(sa.select(Notification.organisation_id).where(Notification.kind == kind)))


def test_open_notice_goes_to_every_municipality_once_from_the_opening_day(app):
    orgs = _arrange(app)
    assert _run(app, "needs.open_notices", "2025-03-19").summary.startswith("アンケート開始のお知らせ 0 件")
    assert _run(app, "needs.open_notices", "2025-03-20").status == "done"
    assert sorted(_orgs(app, OPEN)) == sorted(orgs.values())
    assert _run(app, "needs.open_notices", "2025-03-21").summary.startswith("アンケート開始のお知らせ 0 件")
    assert len(_orgs(app, OPEN)) == 3
    with in_tenant(app):
        row = db.session.scalar(sa.select(Notification).where(Notification.kind == OPEN).limit(1))
    assert "DX課題把握アンケート" in row.subject and row.link.endswith("/t/fukushima/needs/answer")


def test_a_missed_opening_day_is_caught_up_but_nothing_is_sent_after_the_close(app):
    _arrange(app)
    assert _run(app, "needs.open_notices", "2025-04-06").summary.startswith("アンケート開始のお知らせ 0 件")
    _run(app, "needs.open_notices", "2025-03-25")
    assert len(_orgs(app, OPEN)) == 3


def test_reminder_reaches_only_non_respondents_in_the_last_7_days_and_stops_when_answered(app):
    orgs = _arrange(app)
    _run(app, "needs.reminders", "2025-03-28")
    assert _orgs(app, REMINDER) == [], "not before 7 days before the close"
    with in_tenant(app):
        round_ = db.session.scalar(sa.select(NeedsSurveyRound))
        record_needs_response(round_, factories.municipality(CODES["fukushima"]), actor=None, categories=["AI"],
                              maturity=1, comments={}, check_window=False)
        db.session.commit()
    _run(app, "needs.reminders", "2025-03-29")
    assert sorted(_orgs(app, REMINDER)) == sorted([orgs["koriyama"], orgs["iwaki"]])
    _run(app, "needs.reminders", "2025-04-05")
    _run(app, "needs.reminders", "2025-04-06")
    assert len(_orgs(app, REMINDER)) == 2, "once per user and round; nothing after the close"
    with in_tenant(app):
        body = db.session.scalar(sa.select(Notification.body).where(Notification.kind == REMINDER).limit(1))
    assert "あと7日" in body
