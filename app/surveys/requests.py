"""Survey requests (送付・督促): one per engagement and survey kind, with a private expiring link.

The link is a random token (`secrets.token_urlsafe`) of which only the SHA-256 hex is stored; it
logs nobody in and opens only that engagement's survey. Answering consumes it. A reminder
(「未回答者へ督促」) is recorded on every unanswered request and re-issues its link. Creating a
request queues 「事後アンケートのお願い」 to the municipality (`app.surveys.notices`); the daily job
`surveys.reminders` records and mails the weekly reminders. Services flush, never commit.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.core.audit import record_audit
from app.core.clock import today_jst
from app.core.db import utcnow
from app.core.tokens import new_token, token_hash
from app.core.wareki import fiscal_year_of
from app.calls.models import Call
from app.calls.states import CallPhase
from app.engagements.models import Engagement
from app.extensions import db
from app.surveys.models import SurveyRequest
from app.surveys.notices import queue_request_notice
from app.surveys.permissions import ANSWERABLE_STATES
from app.surveys.states import SurveyKind
from app.surveys.template import SurveyTemplate, load_survey_template, survey_template_or_none
from app.tenancy.models import Tenant


def request_of(engagement, kind: SurveyKind = SurveyKind.INITIAL) -> SurveyRequest | None:
    """The survey request of `engagement` and `kind`, or None."""
    return db.session.scalar(sa.select(SurveyRequest).where(
        SurveyRequest.tenant_id == engagement.tenant_id, SurveyRequest.engagement_id == engagement.id,
        SurveyRequest.kind == kind))


def request_survey(engagement, *, actor, kind: SurveyKind = SurveyKind.INITIAL, today: dt.date | None = None,
                   template: SurveyTemplate | None = None, notify: bool = True) -> SurveyRequest:
    """The request to answer the survey of `kind` about `engagement` (created once; idempotent).

    Called when the engagement completes (the "sent" moment); `due_on` is `today` (JST) plus the
    template's `due_days`. A new request queues 「事後アンケートのお願い」 to the municipality's staff
    unless `notify` is False (a request created while the answer is being stored). Returns the
    existing request when there is one.
    """
    existing = request_of(engagement, kind)
    if existing is not None:
        return existing
    tenant = db.session.get(Tenant, engagement.tenant_id)
    if template is None:
        template = load_survey_template(tenant)
    today = today or today_jst()
    request = SurveyRequest(tenant_id=engagement.tenant_id, engagement_id=engagement.id, kind=kind, sent_at=utcnow(),
                            due_on=today + dt.timedelta(days=template.due_days), reminders=[])
    db.session.add(request)
    db.session.flush()
    record_audit("survey.request", tenant_id=engagement.tenant_id, actor=actor, target=request,
                 changes={"engagement_id": engagement.id, "kind": str(kind)})
    if notify:
        queue_request_notice(tenant, request)
    return request


def _missing(tenant, kind: SurveyKind, *conditions) -> list[Engagement]:
    has_request = sa.select(SurveyRequest.id).where(SurveyRequest.engagement_id == Engagement.id,
                                                    SurveyRequest.kind == kind).exists()
    return list(db.session.scalars(sa.select(Engagement).where(
        Engagement.tenant_id == tenant.id, Engagement.state.in_(ANSWERABLE_STATES), ~has_request, *conditions)
        .order_by(Engagement.id)))


def ensure_survey_requests(tenant, *, today: dt.date | None = None) -> list[SurveyRequest]:
    """Create the missing requests, so that nothing depends on the completion hook being wired:
    the 事後アンケート of every COMPLETED/CLOSED engagement, and — when the tenant offers a
    follow-up — the follow-up of those of the previous fiscal year (asked in FY+1 only).
    Returns the requests created (usually none; none for a tenant without a survey)."""
    today = today or today_jst()
    template = survey_template_or_none(tenant)
    if template is None:
        return []
    # Past years' records (imported or seeded history) sit in closed calls and are never surveyed.
    live = sa.select(Call.id).where(Call.id == Engagement.call_id, Call.phase != CallPhase.CLOSED).exists()
    created = [request_survey(e, actor=None, today=today, template=template)
               for e in _missing(tenant, SurveyKind.INITIAL, live)]
    if template.follow_up is not None:
        # The follow-up goes to those who were asked the first survey (so never to history records).
        asked = sa.select(SurveyRequest.id).where(SurveyRequest.engagement_id == Engagement.id,
                                                  SurveyRequest.kind == SurveyKind.INITIAL).exists()
        previous = _missing(tenant, SurveyKind.FOLLOW_UP, asked, Engagement.fiscal_year == fiscal_year_of(today) - 1)
        created += [request_survey(e, actor=None, kind=SurveyKind.FOLLOW_UP, today=today, template=template)
                    for e in previous]
    return created


def issue_survey_link(request: SurveyRequest, *, actor, days: int) -> str:
    """A new private link token for `request`, valid `days` days; the previous link stops working.
    Returns the token (shown once, never stored). Raises ValueError for an answered request."""
    if request.answered_at is not None:
        raise ValueError("the survey has been answered")
    token, request.link_token_hash = new_token()
    request.link_expires_at = utcnow() + dt.timedelta(days=days)
    db.session.flush()
    record_audit("survey.link", tenant_id=request.tenant_id, actor=actor, target=request,
                 changes={"expires_at": request.link_expires_at.isoformat()})
    return token


def find_link(tenant, token: str) -> SurveyRequest | None:
    """The request of `tenant` whose link is `token` (answered or expired included), or None."""
    if not token or len(token) > 128:
        return None
    return db.session.scalar(sa.select(SurveyRequest).where(
        SurveyRequest.tenant_id == tenant.id, SurveyRequest.link_token_hash == token_hash(token)))


def link_problem(request: SurveyRequest, now: dt.datetime | None = None) -> str | None:
    """Why a found link cannot be used: "used" (answered), "expired", or None when usable."""
    if request.answered_at is not None:
        return "used"
    if request.link_expires_at is None or (now or utcnow()) >= request.link_expires_at:
        return "expired"
    return None


def unanswered_requests(tenant, fiscal_year: int, kind: SurveyKind) -> list[SurveyRequest]:
    """Unanswered requests of `kind` about engagements of `fiscal_year`, by 全国地方公共団体コード."""
    stmt = (sa.select(SurveyRequest).join(Engagement, Engagement.id == SurveyRequest.engagement_id)
            .where(SurveyRequest.tenant_id == tenant.id, SurveyRequest.kind == kind, SurveyRequest.answered_at.is_(None),
                   Engagement.fiscal_year == fiscal_year)
            .order_by(SurveyRequest.id))
    return sorted(db.session.scalars(stmt), key=lambda r: (r.engagement.municipality.lg_code or "", r.id))


def record_reminder(request: SurveyRequest, *, actor, now: dt.datetime | None = None) -> SurveyRequest:
    """Add one reminder at `now` (UTC; default the clock) to `request`'s history: `reminders`
    gains `{"at", "actor_id"}`, `reminder_count` +1, `last_reminded_at` = `now`. Raises
    ValueError for an answered request."""
    if request.answered_at is not None:
        raise ValueError("the survey has been answered")
    now = now or utcnow()
    request.reminders = [*(request.reminders or []), {"at": now.isoformat(), "actor_id": getattr(actor, "id", None)}]
    request.reminder_count += 1
    request.last_reminded_at = now
    db.session.flush()
    return request


def remind_unanswered(tenant, fiscal_year: int, *, actor, kind: SurveyKind = SurveyKind.INITIAL,
                      today: dt.date | None = None) -> list[tuple[SurveyRequest, str]]:
    """「未回答者へ督促」: record a reminder on every unanswered request of `kind` for engagements of
    `fiscal_year` (answered ones are left alone) and re-issue its link. Returns `[(request, token)]`
    so that the operator can pass the new links on until e-mail is sent (notifications issue)."""
    ensure_survey_requests(tenant, today=today)
    days = load_survey_template(tenant).link_days
    now, result = utcnow(), []
    for request in unanswered_requests(tenant, fiscal_year, kind):
        record_reminder(request, actor=actor, now=now)
        result.append((request, issue_survey_link(request, actor=actor, days=days)))
    record_audit("survey.remind", tenant_id=tenant.id, actor=actor,
                 changes={"fiscal_year": fiscal_year, "kind": str(kind), "count": len(result)})
    return result
