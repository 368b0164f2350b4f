"""Kickoff services: before any session the municipality's issues and goals, the planned number of
sessions and optional planned dates are agreed and recorded (丸投げ・ミスマッチを防ぐ, 003:1671).

The provider drafts the kickoff and the municipality agrees to it, or the operator records an agreed
kickoff directly; either way the engagement moves ACCEPTED → IN_PROGRESS. Services flush, never commit.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from flask_babel import gettext as _

from app.core.audit import record_audit
from app.core.db import utcnow
from app.engagements.models import Engagement, EngagementPlannedDate
from app.engagements.services import EngagementError, transition_engagement
from app.engagements.states import EngagementState
from app.extensions import db

MAX_PLANNED_SESSIONS = 100


def _check(engagement: Engagement, issues: str, goals: str, planned_sessions: int, planned_dates: list[dt.date]) -> None:
    if engagement.state != EngagementState.ACCEPTED:
        raise EngagementError(_("受諾済みの案件のみキックオフを記録できます。"))
    if not issues.strip() or not goals.strip():
        raise EngagementError(_("市町村の課題と目標を入力してください。"))
    if not isinstance(planned_sessions, int) or not 1 <= planned_sessions <= MAX_PLANNED_SESSIONS:
        raise EngagementError(_("予定支援回数は1〜100回で入力してください。"))
    if len(set(planned_dates)) != len(planned_dates) or len(planned_dates) > planned_sessions:
        raise EngagementError(_("予定日は重複なく、予定支援回数以内で入力してください。"))


def draft_kickoff(engagement: Engagement, *, actor, issues: str, goals: str, planned_sessions: int,
                  planned_dates: Iterable[dt.date] = ()) -> Engagement:
    """The provider fills in (or revises) the kickoff of an ACCEPTED engagement; the municipality
    agrees to it next (`agree_kickoff`). `planned_dates` are optional JST dates, at most
    `planned_sessions` of them. Raises `EngagementError` (state, missing issues/goals, 1–100 sessions)."""
    dates = sorted(planned_dates)
    _check(engagement, issues, goals, planned_sessions, dates)
    engagement.kickoff_issues, engagement.kickoff_goals = issues.strip(), goals.strip()
    engagement.planned_sessions, engagement.kickoff_drafted_at = planned_sessions, utcnow()
    engagement.planned_dates = [EngagementPlannedDate(tenant_id=engagement.tenant_id, planned_on=d) for d in dates]
    db.session.flush()
    record_audit("engagement.kickoff_draft", tenant_id=engagement.tenant_id, actor=actor, target=engagement,
                 changes={"planned_sessions": planned_sessions, "planned_dates": [d.isoformat() for d in dates]})
    return engagement


def agree_kickoff(engagement: Engagement, *, actor) -> Engagement:
    """The municipality agrees to the drafted kickoff: `kickoff_at/by` are stamped and the
    engagement moves ACCEPTED → IN_PROGRESS (sessions may be logged from now on).
    Raises `EngagementError` when nothing is drafted, `TransitionError` unless ACCEPTED."""
    if engagement.kickoff_drafted_at is None:
        raise EngagementError(_("キックオフの内容がまだ入力されていません。"))
    engagement.kickoff_at, engagement.kickoff_by_id = utcnow(), getattr(actor, "id", None)
    return transition_engagement(engagement, EngagementState.IN_PROGRESS, actor=actor, note="キックオフ（課題・目標の合意）")


def record_kickoff(engagement: Engagement, *, actor, issues: str, goals: str, planned_sessions: int,
                   planned_dates: Iterable[dt.date] = ()) -> Engagement:
    """The operator records an agreed kickoff in one step (`draft_kickoff` then `agree_kickoff`)."""
    draft_kickoff(engagement, actor=actor, issues=issues, goals=goals, planned_sessions=planned_sessions,
                  planned_dates=planned_dates)
    return agree_kickoff(engagement, actor=actor)
