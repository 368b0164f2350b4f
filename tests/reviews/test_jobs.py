"""The review notices job: reviewers with assignments are told once that scoring has started, and
reviewers with unscored assignments get one reminder from 3 days before the phase window ends."""
import datetime as dt

import sqlalchemy as sa

from app.calls.states import CallPhase
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.timings import set_call_timings
from app.reviews.assignment import add_assignment
from app.reviews.jobs import REMINDER, START
from app.reviews.services import score_proposal
from app.reviews.states import ReviewTarget
from app.scheduling import run_job
from tests.calls.test_jobs import at
from tests.conftest import in_tenant
from tests.reviews.builders import GOOD, WHY, declared, proposals_in_review, reviewer


def _sent(app, kind: str) -> list[int]:
    with in_tenant(app):
        return sorted(db.session.scalars(sa.select(Notification.user_id).where(Notification.kind == kind)))


def _run(app, day: dt.date):
    with app.app_context():
        return run_job("reviews.notices", now=at(day.isoformat()), tenant_slugs=["fukushima"])[0]


def test_start_notice_once_and_one_reminder_to_reviewers_with_unscored_assignments(app):
    with in_tenant(app) as t:
        call, (one, two) = proposals_in_review(t)
        done, late, idle = (reviewer(t, f"{n}@example.jp") for n in ("done", "late", "idle"))
        add_assignment(call, ReviewTarget.PROPOSAL, one, done, actor=None)
        add_assignment(call, ReviewTarget.PROPOSAL, two, late, actor=None)
        score_proposal(declared(one, done), done, scores=GOOD, justifications=WHY)
        ends_on = call.window(CallPhase.MENU_REVIEW).ends_on
        ids = done.id, late.id
        db.session.commit()
    _run(app, ends_on - dt.timedelta(days=10))
    assert _sent(app, START) == sorted(ids) and _sent(app, REMINDER) == []  # idle has no assignment
    _run(app, ends_on - dt.timedelta(days=4))
    assert _sent(app, REMINDER) == [], "not before 3 days ahead of the end"
    _run(app, ends_on - dt.timedelta(days=3))
    _run(app, ends_on - dt.timedelta(days=2))
    assert _sent(app, REMINDER) == [ids[1]], "once, only to the reviewer with an unscored assignment"
    assert _sent(app, START) == sorted(ids), "the start notice is not repeated"


def test_the_calls_notice_setting_moves_the_unscored_reminder(app):
    with in_tenant(app) as t:
        call, (one, _two) = proposals_in_review(t)
        late = reviewer(t, "late@example.jp")
        add_assignment(call, ReviewTarget.PROPOSAL, one, late, actor=None)
        t.rules = {**t.rules, "notices": {"review_reminder_days_before": 1}}
        set_call_timings(call, {"review_reminder_days_before": 6}, actor=None)
        ends_on, late_id = call.window(CallPhase.MENU_REVIEW).ends_on, late.id
        db.session.commit()
    _run(app, ends_on - dt.timedelta(days=7))
    assert _sent(app, REMINDER) == []
    _run(app, ends_on - dt.timedelta(days=6))
    assert _sent(app, REMINDER) == [late_id], "the call says 6 days ahead (the tenant 1, the default 3)"
