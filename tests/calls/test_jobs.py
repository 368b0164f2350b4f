"""Call jobs with frozen time (now passed explicitly): the call-open notice to every municipality,
the nudge to priority municipalities without an application, the closing-in-7-days reminder;
caught up once after downtime; never twice, even from two threads."""
import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from app.applications.services import create_application, submit_application
from app.auth.models import Role

from app.calls.jobs import CLOSING, NUDGE, OPEN, applied_ids, priority_ids
from app.calls.queries import call_for_year
from app.calls.services import update_call
from app.calls.states import CallPhase
from app.core.clock import JST
from app.extensions import db
from app.notifications.models import Notification
from app.scheduling import JobRun, run_job
from tests import factories
from tests.applications.builders import call_with_menu, supported_in
from tests.conftest import in_tenant

CODES = {"fukushima": "072010", "koriyama": "072036", "iwaki": "072044", "shirakawa": "072052"}


def at(day: str, hour: int = 7) -> dt.datetime:
    """07:00 JST on `day` as the aware UTC datetime a scheduler would pass."""
    return dt.datetime.fromisoformat(day).replace(hour=hour, tzinfo=JST).astimezone(dt.timezone.utc)


def _orgs(app, kind: str) -> list[int]:
    with in_tenant(app):
        return list(db.session.scalars(sa.select(Notification.organisation_id).where(Notification.kind == kind)))


def _run(app, job_id: str, day: str):
    with app.app_context():
        return run_job(job_id, now=at(day), tenant_slugs=["fukushima"])[0]


def _set_window(app, starts_on: dt.date, ends_on: dt.date) -> None:
    with in_tenant(app) as tenant:
        call = call_for_year(tenant, 2024)
        rules = {"max_choices": call.max_choices}
        update_call(call, actor=None, title=call.title, budget_thousand_yen=call.budget_thousand_yen, rules=rules,
                    windows={CallPhase.APPLICATIONS: (starts_on, ends_on)})
        db.session.commit()


def test_open_notice_reaches_all_59_municipalities_and_nudges_only_priority_ones_without_an_application(demo_app):
    outcome = _run(demo_app, "calls.open_notices", "2024-05-20")
    assert outcome.status == "done", outcome
    opened = _orgs(demo_app, OPEN)
    assert len(opened) == len(set(opened)) == 59
    with in_tenant(demo_app) as tenant:
        expected = priority_ids(tenant, call_for_year(tenant, 2024)) - applied_ids(tenant, call_for_year(tenant, 2024))
        applied = applied_ids(tenant, call_for_year(tenant, 2024))
    nudged = set(_orgs(demo_app, NUDGE))
    assert nudged == expected, "nudge goes to priority municipalities without an application"
    assert not nudged & applied


def test_the_nudge_goes_only_to_priority_municipalities_that_have_not_applied(app):
    """FY2025 call in 申込受付: 福島市 was supported in FY2024 (not priority); 郡山市 is priority and
    applied; いわき市 is priority with only a draft; 白河市 is priority and has not started."""
    with in_tenant(app) as tenant:
        call, menu = call_with_menu(tenant, fiscal_year=2025)
        orgs = {k: factories.municipality(code) for k, code in CODES.items()}
        for key, org in orgs.items():
            factories.user(tenant, Role.MUNICIPAL, f"{key}@example.jp", org)
        supported_in(tenant, orgs["fukushima"], 2024)
        submit_application(create_application(call, orgs["koriyama"], actor=None, choices=[menu[0]], issue="課題"), actor=None)
        create_application(call, orgs["iwaki"], actor=None, choices=[menu[0]], issue="課題")
        db.session.commit()
        expected = {orgs["iwaki"].id, orgs["shirakawa"].id}
        everyone = {o.id for o in orgs.values()}
    outcome = _run(app, "calls.open_notices", "2025-04-01")  # stored phase 申込受付, before the planned window
    assert outcome.status == "done"
    assert set(_orgs(app, OPEN)) == everyone and set(_orgs(app, NUDGE)) == expected
    with in_tenant(app):
        nudge = db.session.scalar(sa.select(Notification).where(Notification.kind == NUDGE))
    assert "優先" in nudge.subject and "過去2年間" in nudge.body and nudge.link.endswith("/t/fukushima/applications")


def test_running_again_the_same_day_or_later_queues_nothing(demo_app):
    _run(demo_app, "calls.open_notices", "2024-05-20")
    assert _run(demo_app, "calls.open_notices", "2024-05-20").status == "skipped"
    assert _run(demo_app, "calls.open_notices", "2024-05-21").summary.startswith("募集開始のお知らせ 0 件")
    assert len(_orgs(demo_app, OPEN)) == 59


@pytest.mark.parametrize("day, due", [("2024-05-15", False), ("2024-05-16", True), ("2024-06-14", True), ("2024-06-15", False)])
def test_the_notice_is_due_only_inside_the_applications_window_of_a_call_past_it(demo_app, day, due):
    _run(demo_app, "calls.open_notices", day)
    assert (len(_orgs(demo_app, OPEN)) == 59) is due


def test_a_run_missed_during_downtime_is_caught_up_once(demo_app):
    # The scheduler was down from 05-15 to 05-18: the first run after it (05-19) sends, later runs do not.
    assert _run(demo_app, "calls.open_notices", "2024-05-15").summary.startswith("募集開始のお知らせ 0 件")
    _run(demo_app, "calls.open_notices", "2024-05-19")
    _run(demo_app, "calls.open_notices", "2024-05-20")
    assert len(_orgs(demo_app, OPEN)) == 59
    with in_tenant(demo_app):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 3


@pytest.mark.parametrize("window, day, due", [
    # across the fiscal-year boundary (FY2024 ends 2025-03-31): reminder from 7 days before the close
    ((dt.date(2025, 3, 20), dt.date(2025, 4, 5)), "2025-03-28", False),
    ((dt.date(2025, 3, 20), dt.date(2025, 4, 5)), "2025-03-29", True),
    ((dt.date(2025, 3, 20), dt.date(2025, 4, 5)), "2025-04-05", True),
    ((dt.date(2025, 3, 20), dt.date(2025, 4, 5)), "2025-04-06", False),
    # across a month boundary
    ((dt.date(2024, 5, 16), dt.date(2024, 6, 3)), "2024-05-26", False),
    ((dt.date(2024, 5, 16), dt.date(2024, 6, 3)), "2024-05-27", True),
])
def test_closing_reminder_goes_out_in_the_last_7_days_to_municipalities_without_an_application(demo_app, window, day, due):
    _set_window(demo_app, *window)
    _run(demo_app, "calls.closing_reminders", day)
    reminded = _orgs(demo_app, CLOSING)
    assert bool(reminded) is due
    if due:
        with in_tenant(demo_app) as tenant:
            applied = applied_ids(tenant, call_for_year(tenant, 2024))
        assert len(set(reminded)) == 59 - len(applied) and not set(reminded) & applied


def test_two_threads_running_the_same_job_produce_one_effect(demo_app):
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        barrier.wait()
        outcomes.append(_run(demo_app, "calls.open_notices", "2024-05-20"))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(o.status for o in outcomes)[0] == "done" and [o.status for o in outcomes].count("done") == 1
    assert len(_orgs(demo_app, OPEN)) == 59
    with in_tenant(demo_app):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(JobRun)) == 1
