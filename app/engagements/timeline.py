"""The engagement timeline shown to every side: state changes, sessions and completion-report events
in date order, each with its state as text (never colour alone)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import gettext as _

from app.core.audit import history_for
from app.core.clock import JST, to_jst
from app.engagements.models import CompletionReport, Engagement
from app.engagements.states import EngagementState, ReportState


@dataclass(frozen=True)
class TimelineEntry:
    """One line: the JST date, what happened (Japanese) and an optional note; `sort_at` orders it."""

    on: dt.date
    text: str
    note: str
    sort_at: dt.datetime


def _state_entries(workflow: str, object_id: int, enum_cls, prefix: str) -> list[TimelineEntry]:
    entries = []
    for row in history_for(workflow, object_id):
        at = to_jst(row.at)
        entries.append(TimelineEntry(at.date(), prefix + enum_cls(row.to_state).label, row.note, at))
    return entries


def _midday(day: dt.date) -> dt.datetime:
    # Sessions carry a date only: place them mid-day (JST) among the same day's events.
    return dt.datetime.combine(day, dt.time(12), tzinfo=JST)


def _session_entries(engagement: Engagement) -> list[TimelineEntry]:
    entries = []
    for n, s in enumerate(engagement.sessions, start=1):
        status = _("市町村確認済") if s.confirmed_at else _("市町村未確認")
        text = _("第%(n)d回 支援実施（%(format)s・%(status)s）", n=n, format=s.format.label, status=status)
        entries.append(TimelineEntry(s.held_on, text, "", _midday(s.held_on)))
    return entries


def engagement_timeline(engagement: Engagement, report: CompletionReport | None) -> list[TimelineEntry]:
    """Every event of `engagement` oldest first: its state changes (「状態：支援中」), its sessions
    and the state changes of its completion `report` (「実績報告：受理」). Two queries."""
    entries = _state_entries("engagement", engagement.id, EngagementState, _("状態：")) + _session_entries(engagement)
    if report is not None:
        entries += _state_entries("completion_report", report.id, ReportState, _("実績報告："))
    return sorted(entries, key=lambda e: e.sort_at)
