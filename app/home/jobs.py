"""The weekly digest (issue 6 §3): every Monday 08:00 JST, each active operator gets one mail with
their home-page task list (`tasks_for`); nothing is sent when the list is empty.

Dedupe key "home.digest:<ISO week>:<user>": one digest per operator and week, so a re-run, a second
scheduler or the start-up catch-up later in the week never sends a second one (a missed Monday is
caught up by the next run that week). The counts are those of the run (the task providers read the
clock themselves).
"""
from __future__ import annotations

import datetime as dt

from app.auth.models import Role
from app.core.clock import to_jst
from app.core.wareki import format_date
from app.engagements.jobs import iso_week
from app.home.queries import Task, tasks_for
from app.notifications.recipients import active_staff
from app.notifications.services import app_url, queue_notification
from app.scheduling import cron, job

DIGEST = "home.digest"


def task_lines(tenant, tasks: list[Task]) -> str:
    """The task list as plain-text lines: 「・<label>：<n>件」 followed by the page's URL."""
    return "\n".join(f"・{task.label}：{task.count}件\n  {app_url(task.endpoint, tenant_slug=tenant.slug, **task.values)}"
                     for task in tasks)


def _planned(tenant, now: dt.datetime) -> list[tuple[dt.date, str]]:
    """The next four Mondays (JST)."""
    today = to_jst(now).date()
    monday = today + dt.timedelta(days=-today.weekday() % 7)
    return [(monday + dt.timedelta(weeks=n), "週次のタスク一覧（運用担当者）") for n in range(4)]


@job("home.weekly_digest", trigger=cron(day_of_week="mon", hour=8, minute=0), planned=_planned,
     description="運用担当者への週次のタスク一覧（月曜8時、タスクがなければ送信しない）")
def weekly_digest(tenant, now: dt.datetime) -> str:
    """Queue the weekly digest (template "home.digest": `{tasks}`, `{week_of}`) to each operator
    whose task list is not empty; returns a short Japanese summary."""
    today, queued = to_jst(now).date(), 0
    week_of = format_date(today - dt.timedelta(days=today.weekday()))
    for user in active_staff(tenant, Role.OPERATOR):
        tasks = tasks_for(user, tenant)
        if not tasks:
            continue
        row = queue_notification(tenant, user, DIGEST, {"tasks": task_lines(tenant, tasks), "week_of": week_of},
                                 dedupe_key=f"{DIGEST}:{iso_week(today)}:{user.id}",
                                 link=app_url("home.index", tenant_slug=tenant.slug))
        queued += row is not None
    return f"週次のタスク一覧 {queued} 通"
