"""Jobs of the reviews domain: the notice that scoring has started (to every reviewer with an
assignment of that kind in the call), and one reminder to reviewers with unscored assignments
`review_reminder_days_before` days (default 3; tenant [notices] or the call's 通知設定) before the
phase window ends. Dedupe keys "reviews.start:<call>:<target>:<user>" and
"reviews.reminder:<call>:<target>:<user>" make each go once, whatever the runs.

Scoring is open while the call is in the target's phase (`SCORING_PHASE`); the phase window's end
(tenant calendar, editable per call) dates the reminder.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.auth.models import User
from app.calls.jobs import annual_calls
from app.calls.models import Call
from app.core.clock import to_jst
from app.core.wareki import fiscal_year_label, format_date
from app.extensions import db
from app.notifications.services import app_url, queue_bulk
from app.notifications.timings import notice_timings
from app.reviews.models import Review, ReviewAssignment
from app.reviews.states import SCORING_PHASE, ReviewTarget
from app.scheduling import cron, job

START, REMINDER = "reviews.start", "reviews.reminder"


def _reviewers(call: Call, target: ReviewTarget, *, unscored_only: bool) -> list[User]:
    """Active reviewers holding an assignment of `target` in `call` (with one not yet scored)."""
    stmt = sa.select(ReviewAssignment.reviewer_id).where(ReviewAssignment.tenant_id == call.tenant_id,
                                                         ReviewAssignment.call_id == call.id,
                                                         ReviewAssignment.target == target)
    if unscored_only:
        scored = sa.select(Review.id).where(
            Review.call_id == call.id, Review.target == target, Review.reviewer_id == ReviewAssignment.reviewer_id,
            sa.or_(sa.and_(Review.proposal_id.is_not(None), Review.proposal_id == ReviewAssignment.proposal_id),
                   sa.and_(Review.application_id.is_not(None), Review.application_id == ReviewAssignment.application_id)))
        stmt = stmt.where(~scored.exists())
    users = sa.select(User).where(User.id.in_(stmt), User.is_active_account.is_(True)).order_by(User.id)
    return list(db.session.scalars(users))


def _values(call: Call, target: ReviewTarget, ends_on: dt.date | None):
    def values(user: User) -> dict:
        return {"call_title": call.title, "fiscal_year": fiscal_year_label(call.fiscal_year), "reviewer": user.display_name,
                "target_label": str(target.label), "ends_on": format_date(ends_on) if ends_on else "（期限未設定）"}
    return values


def reminder_on(tenant, call: Call, ends_on: dt.date) -> dt.date:
    """First day of the unscored reminder: `ends_on` minus the call's `review_reminder_days_before`."""
    return ends_on - dt.timedelta(days=notice_timings(tenant, call).review_reminder_days_before)


def _planned(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    return [(reminder_on(tenant, c, w.ends_on), f"{c.title} {t.label}の未採点リマインド")
            for c in annual_calls(tenant) for t, phase in SCORING_PHASE.items() if (w := c.window(phase))]


@job("reviews.notices", trigger=cron(hour=7, minute=10), planned=_planned,
     description="審査開始のお知らせ・未採点の審査員へのリマインド")
def review_notices(tenant, now: dt.datetime) -> str:
    """Every morning, for each annual call in a scoring phase: the start notice to its reviewers,
    and from `reminder_on` (default 3 days before the phase window ends), one reminder to those with
    unscored assignments."""
    day, queued = to_jst(now).date(), 0
    link = app_url("reviews.index", tenant_slug=tenant.slug)
    for call in annual_calls(tenant):
        for target, phase in SCORING_PHASE.items():
            if call.phase != phase:
                continue
            window = call.window(phase)
            ends_on = window.ends_on if window else None
            values = _values(call, target, ends_on)
            queued += len(queue_bulk(tenant, _reviewers(call, target, unscored_only=False), START, values,
                                     lambda u, c=call, t=target: f"{START}:{c.id}:{t}:{u.id}", link))
            if ends_on and reminder_on(tenant, call, ends_on) <= day <= ends_on:
                queued += len(queue_bulk(tenant, _reviewers(call, target, unscored_only=True), REMINDER, values,
                                         lambda u, c=call, t=target: f"{REMINDER}:{c.id}:{t}:{u.id}", link))
    return f"審査のお知らせ・リマインド {queued} 件"
