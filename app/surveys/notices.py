"""Survey notices (issue 4 §4 × issue 6): 「事後アンケートのお願い」 when a survey request is created and
a reminder every week until it is answered, queued to the supported municipality's active municipal
staff through the outbox (`app.notifications`; delivered by `notifications.deliver_outbox`).

The link in a notice is the plain survey page of the app (login required); the private answer link
(`issue_survey_link`) never goes into these mails. Services flush, never commit.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.auth.models import Role, User
from app.calls.models import Call
from app.calls.states import CallPhase
from app.core.clock import to_jst
from app.core.wareki import fiscal_year_of, format_date
from app.engagements.models import Engagement
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.recipients import active_staff
from app.notifications.services import app_url, queue_bulk
from app.surveys.models import SurveyRequest
from app.surveys.permissions import ANSWERABLE_STATES
from app.surveys.states import SurveyKind
from app.tenancy.models import OrganisationKind

REQUEST, REMINDER = "surveys.request", "surveys.reminder"
# First reminder this many days before the due date, then one every REMIND_EVERY_DAYS until answered.
# A constant rather than a survey.toml key: the template loader would need a new key and validation
# for what is so far one program's practice (move it there when a second tenant asks).
REMIND_DAYS_BEFORE_DUE = 3
REMIND_EVERY_DAYS = 7
ENDPOINTS = {SurveyKind.INITIAL: "surveys.answer", SurveyKind.FOLLOW_UP: "surveys.follow_up"}


def _values(request: SurveyRequest):
    engagement = request.engagement

    def values(user: User) -> dict:
        return {"survey": request.kind.label, "municipality": engagement.municipality.name,
                "menu_item": engagement.menu_item.title, "provider": engagement.provider.name,
                "due_on": format_date(request.due_on), "reminder_count": request.reminder_count}
    return values


def _queue(tenant, request: SurveyRequest, kind: str, key: str, users: list[User]) -> list[Notification]:
    link = app_url(ENDPOINTS[request.kind], tenant_slug=tenant.slug, engagement_id=request.engagement_id)
    return queue_bulk(tenant, users, kind, _values(request), lambda u: f"{key}:{u.id}", link)


def queue_request_notice(tenant, request: SurveyRequest) -> list[Notification]:
    """Queue 「事後アンケートのお願い」 (template "surveys.request": menu item, provider, due date,
    link to the survey page) to the municipality's active municipal users, once per request
    (dedupe key "surveys.request:<request>:<user>"). Returns the rows queued now."""
    users = active_staff(tenant, Role.MUNICIPAL, organisation_ids=[request.engagement.municipality_id],
                         organisation_kind=OrganisationKind.MUNICIPALITY)
    return _queue(tenant, request, REQUEST, f"{REQUEST}:{request.id}", users)


def queue_reminder_notice(tenant, request: SurveyRequest, users: list[User]) -> list[Notification]:
    """Queue reminder number `request.reminder_count + 1` of `request` to `users` (template
    "surveys.reminder"; dedupe key "surveys.reminder:<request>:<n>:<user>", so each reminder is
    queued at most once whoever runs it). Returns the rows queued now."""
    key = f"{REMINDER}:{request.id}:{request.reminder_count + 1}"
    return _queue(tenant, request, REMINDER, key, users)


def is_reminder_due(request: SurveyRequest, today: dt.date, days_before: int = REMIND_DAYS_BEFORE_DUE,
                    every_days: int = REMIND_EVERY_DAYS) -> bool:
    """True when `today` (JST) is at least `days_before` days before `due_on` or later and the last
    reminder (automatic or the operator's 「未回答者へ督促」) is `every_days` old (defaults: the
    constants; the job passes app/notifications/timings.py's values)."""
    if request.answered_at is not None or today < request.due_on - dt.timedelta(days=days_before):
        return False
    last = request.last_reminded_at
    return last is None or (today - to_jst(last).date()).days >= every_days


def reminder_candidates(tenant, today: dt.date, timing=None, horizon_days: int = REMIND_DAYS_BEFORE_DUE) -> list[SurveyRequest]:
    """Unanswered requests of answerable engagements whose reminder period has begun by `today`
    (JST): 事後アンケート while the engagement's call is not closed (a finished year is no longer
    chased), follow-ups only in the fiscal year after the engagement's (when they can be answered).
    `timing(request) -> (days_before, every_days)` (default: the constants) dates each request;
    `horizon_days` is the largest `days_before` it may return (the SQL pre-filter)."""
    live = sa.select(Call.id).where(Call.id == Engagement.call_id, Call.phase != CallPhase.CLOSED).exists()
    in_window = sa.or_(sa.and_(SurveyRequest.kind == SurveyKind.INITIAL, live),
                       sa.and_(SurveyRequest.kind == SurveyKind.FOLLOW_UP,
                               Engagement.fiscal_year == fiscal_year_of(today) - 1))
    stmt = (sa.select(SurveyRequest).join(Engagement, Engagement.id == SurveyRequest.engagement_id)
            .where(SurveyRequest.tenant_id == tenant.id, SurveyRequest.answered_at.is_(None),
                   SurveyRequest.due_on <= today + dt.timedelta(days=max(horizon_days, REMIND_DAYS_BEFORE_DUE)),
                   Engagement.state.in_(ANSWERABLE_STATES), in_window)
            .order_by(SurveyRequest.id))
    timing = timing or (lambda request: (REMIND_DAYS_BEFORE_DUE, REMIND_EVERY_DAYS))
    return [r for r in db.session.scalars(stmt) if is_reminder_due(r, today, *timing(r))]
