"""Time-derived status of engagements, computed from dates (never stored):

- 滞留 (stale): IN_PROGRESS with no session for `stale_after_weeks` weeks (tenant.toml, default 4;
  counted from the kickoff when nothing is logged yet), or fewer sessions logged than planned dates
  already passed;
- 実績報告 due date: completion + `report_due_days` (default 30); overdue while no report is filed
  or a returned one is not refiled.

The SQL clauses are the one definition, used by the list filter, the task counts and the page.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from app.core.clock import JST, to_jst
from app.engagements.models import CompletionReport, Engagement, EngagementPlannedDate, SupportSession
from app.engagements.states import EngagementState, ReportState
from app.extensions import db

DEFAULT_STALE_WEEKS, DEFAULT_REPORT_DUE_DAYS = 4, 30


def _jst_midnight(day: dt.date) -> dt.datetime:
    """00:00 JST of `day` as an aware datetime (compared with UTC columns)."""
    return dt.datetime.combine(day, dt.time(), tzinfo=JST)


def stale_cutoff(tenant, today: dt.date) -> dt.date:
    """The day before which the last session makes an engagement stale (today − N weeks)."""
    return today - dt.timedelta(weeks=int(tenant.rule("stale_after_weeks", DEFAULT_STALE_WEEKS)))


def no_recent_session(tenant, today: dt.date) -> sa.ColumnElement[bool]:
    """SQL: the last session (or, with none, the kickoff) is before `stale_cutoff`."""
    cutoff = stale_cutoff(tenant, today)
    last = (sa.select(sa.func.max(SupportSession.held_on))
            .where(SupportSession.engagement_id == Engagement.id).scalar_subquery())
    return sa.or_(last < cutoff, sa.and_(last.is_(None), sa.or_(Engagement.kickoff_at.is_(None),
                                                                 Engagement.kickoff_at < _jst_midnight(cutoff))))


def behind_plan(today: dt.date) -> sa.ColumnElement[bool]:
    """SQL: fewer sessions logged than planned dates already passed (before `today`)."""
    planned = (sa.select(sa.func.count(EngagementPlannedDate.id))
               .where(EngagementPlannedDate.engagement_id == Engagement.id, EngagementPlannedDate.planned_on < today)
               .scalar_subquery())
    logged = (sa.select(sa.func.count(SupportSession.id))
              .where(SupportSession.engagement_id == Engagement.id).scalar_subquery())
    return planned > logged


def stale_clause(tenant, today: dt.date) -> sa.ColumnElement[bool]:
    """SQL WHERE: the engagement is IN_PROGRESS and stale (either reason) on `today` (JST)."""
    return sa.and_(Engagement.state == EngagementState.IN_PROGRESS,
                   sa.or_(no_recent_session(tenant, today), behind_plan(today)))


def stale_reasons(engagement: Engagement, tenant, today: dt.date) -> list[str]:
    """Japanese reasons why `engagement` is stale on `today` (empty when it is not)."""
    if engagement.state != EngagementState.IN_PROGRESS:
        return []
    weeks = int(tenant.rule("stale_after_weeks", DEFAULT_STALE_WEEKS))
    quiet, behind = db.session.execute(sa.select(no_recent_session(tenant, today), behind_plan(today))
                                       .where(Engagement.id == engagement.id)).one()
    reasons = [_("%(n)d週間以上支援実施記録がありません", n=weeks)] if quiet else []
    return reasons + ([_("予定日を過ぎても予定回数の支援が記録されていません")] if behind else [])


def report_due_on(engagement: Engagement, tenant) -> dt.date | None:
    """The 実績報告 due date: completion date (JST) + `report_due_days`; None before completion."""
    if engagement.completed_at is None:
        return None
    days = int(tenant.rule("report_due_days", DEFAULT_REPORT_DUE_DAYS))
    return to_jst(engagement.completed_at).date() + dt.timedelta(days=days)


def report_missing() -> sa.ColumnElement[bool]:
    """SQL: COMPLETED and no report filed, or the filed one RETURNED (the provider must act)."""
    filed = (sa.select(CompletionReport.id)
             .where(CompletionReport.engagement_id == Engagement.id, CompletionReport.state != ReportState.RETURNED)
             .exists())
    return sa.and_(Engagement.state == EngagementState.COMPLETED, ~filed)


def report_overdue_clause(tenant, today: dt.date) -> sa.ColumnElement[bool]:
    """SQL WHERE: the report is missing and its due date (see `report_due_on`) is before `today`."""
    days = int(tenant.rule("report_due_days", DEFAULT_REPORT_DUE_DAYS))
    return sa.and_(report_missing(), Engagement.completed_at < _jst_midnight(today - dt.timedelta(days=days)))
