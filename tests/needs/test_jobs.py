"""Needs-survey jobs with frozen time (now passed explicitly): the round-open notice to every
municipality's staff, the reminder from 7 days (or the tenant's / call's setting) before the close to
those who have not answered, and the close notice (operators: counts; respondents: thanks) once."""
import datetime as dt

import sqlalchemy as sa

from app.auth.models import Role
from app.extensions import db
from app.calls.states import CallPhase
from app.needs.jobs import CLOSED, OPEN, REMINDER, THANKS
from app.needs.models import NeedsSurveyRound
from app.needs.services import record_needs_response, save_needs_round
from app.notifications.models import Notification
from app.notifications.timings import set_call_timings
from app.scheduling import run_job, upcoming
from tests import factories
from tests.applications.builders import call_with_menu
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


def _close_world(app) -> dict[str, int]:
    """The round of `_arrange` with 福島市 answered and an operator account."""
    orgs = _arrange(app)
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        round_ = db.session.scalar(sa.select(NeedsSurveyRound))
        record_needs_response(round_, factories.municipality(CODES["fukushima"]), actor=None, categories=["AI"],
                              maturity=1, comments={}, check_window=False)
        db.session.commit()
    return orgs


def _rows(app, kind: str) -> list[Notification]:
    with in_tenant(app):
        return list(db.session.scalars(sa.select(Notification).where(Notification.kind == kind)))


def test_the_close_notice_goes_once_to_operators_with_counts_and_thanks_only_respondents(app):
    orgs = _close_world(app)
    assert _run(app, "needs.close_notices", "2025-04-05").summary.startswith("アンケート締切のお知らせ 0 件"), "still open"
    assert _run(app, "needs.close_notices", "2025-04-06").status == "done"
    to_operators, thanks = _rows(app, CLOSED), _rows(app, THANKS)
    assert [n.email for n in to_operators] == ["op@example.jp"]
    assert "回答した市町村：1 団体" in to_operators[0].body and "未回答の市町村：58 団体" in to_operators[0].body
    assert [t.organisation_id for t in thanks] == [orgs["fukushima"]]
    assert "ありがとうございました" in thanks[0].subject
    _run(app, "needs.close_notices", "2025-04-07")  # a later run (or a second scheduler) adds nothing
    assert len(_rows(app, CLOSED)) == 1 and len(_rows(app, THANKS)) == 1


def test_a_missed_close_is_caught_up_within_14_days_but_not_later(app):
    _close_world(app)
    assert _run(app, "needs.close_notices", "2025-04-20").summary.startswith("アンケート締切のお知らせ 0 件")
    _run(app, "needs.close_notices", "2025-04-19")  # 14 days after the close: still caught up
    assert len(_rows(app, CLOSED)) == 1


def test_the_close_notice_is_planned_for_the_day_after_the_round_closes(app):
    _arrange(app)
    with in_tenant(app) as tenant:
        rows = {u.spec.id: u for u in upcoming(tenant, at("2025-03-01"))}
    assert (dt.date(2025, 4, 6), "令和7年度 DX課題把握アンケート締切のお知らせ") in rows["needs.close_notices"].planned
    assert rows["needs.reminders"].planned[0][0] == dt.date(2025, 3, 29)


def test_a_tenant_and_call_reminder_timing_move_the_needs_reminder(app):
    orgs = _arrange(app)
    with in_tenant(app) as tenant:
        tenant.rules = {**tenant.rules, "notices": {"needs_reminder_days_before": 2}}
        db.session.commit()
    _run(app, "needs.reminders", "2025-04-02")
    assert _orgs(app, REMINDER) == [], "the tenant says 2 days before the close (04-03)"
    with in_tenant(app) as tenant:
        call, _ = call_with_menu(tenant, fiscal_year=2025, phase=CallPhase.DRAFT)
        set_call_timings(call, {"needs_reminder_days_before": 4}, actor=None)  # the FY2025 call: from 04-01
        db.session.commit()
    _run(app, "needs.reminders", "2025-04-03")
    assert sorted(_orgs(app, REMINDER)) == sorted(orgs.values())
