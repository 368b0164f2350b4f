"""When the calendar's reminders go out: one resolver for every job (issue 6 §3, "configurable per
tenant and call").

`notice_timings(tenant, call=None)` overlays, in order: the defaults below (the program's practice
so far), the tenant's `[notices]` table of tenant.toml (validated by `app.tenancy.schema.Notices`,
stored by the loader under `tenant.rules["notices"]`) and the call's own overrides
(`Call.notice_settings`, edited on the call's 「通知設定」 page). Jobs ask it for the call an
occasion belongs to (a round of the needs survey: the call of its fiscal year; an engagement or a
case: its engagement's call).

`stale_after_weeks` is not a notice setting: it is `[rules].stale_after_weeks`, the one definition
of 滞留 that the engagement list, the home tasks and the stale notice share; it is exposed here so
the operator sees it with the rest.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.calls.models import Call
from app.core.audit import record_audit
from app.extensions import db

DEFAULT_STALE_WEEKS = 4


@dataclass(frozen=True)
class NoticeTimings:
    """Days (calendar days, JST) that date the reminders. Defaults equal the former constants."""

    call_closing_days_before: int = 7  # calls.closing_reminders: from N days before the applications end
    needs_reminder_days_before: int = 7  # needs.reminders: from N days before the round closes
    review_reminder_days_before: int = 3  # reviews.notices: N days before the scoring window ends
    report_due_days_before: int = 7  # engagements.report_notices: N days before the 実績報告 due date
    report_overdue_every_days: int = 7  # engagements.report_notices: then every N days while overdue
    case_reminder_every_days: int = 7  # cases.approval_notices: every N days while an approval is pending
    survey_reminder_days_before: int = 3  # surveys.reminders: from N days before the survey's due date
    survey_reminder_every_days: int = 7  # surveys.reminders: then every N days until answered
    stale_after_weeks: int = DEFAULT_STALE_WEEKS  # [rules].stale_after_weeks (read-only here)


# Editable keys with their allowed range and Japanese label (tenant.toml [notices] and the call page).
LIMITS: dict[str, tuple[int, int, str]] = {
    "call_closing_days_before": (0, 60, _l("申込締切前のお知らせ（締切の何日前から）")),
    "needs_reminder_days_before": (0, 60, _l("DX課題把握アンケートの督促（締切の何日前から）")),
    "review_reminder_days_before": (0, 60, _l("未採点のリマインド（採点期限の何日前）")),
    "report_due_days_before": (0, 60, _l("実績報告の提出期限前のお知らせ（期限の何日前）")),
    "report_overdue_every_days": (1, 60, _l("実績報告の期限超過のお知らせ（何日ごと）")),
    "case_reminder_every_days": (1, 60, _l("事例の承認待ちの督促（何日ごと）")),
    "survey_reminder_days_before": (0, 60, _l("アンケートの督促（回答期限の何日前から）")),
    "survey_reminder_every_days": (1, 60, _l("アンケートの督促（その後何日ごと）")),
}
MAX_DAYS = max(hi for _, hi, _ in LIMITS.values())


def tenant_timings(tenant) -> NoticeTimings:
    """The tenant's timings: defaults overlaid with its `[notices]` (unknown keys are ignored)."""
    stored = (tenant.rule("notices") or {}) if tenant is not None else {}
    values = {k: int(v) for k, v in stored.items() if k in LIMITS and v is not None}
    stale = int(tenant.rule("stale_after_weeks", DEFAULT_STALE_WEEKS)) if tenant is not None else DEFAULT_STALE_WEEKS
    return NoticeTimings(**values, stale_after_weeks=stale)


def notice_timings(tenant, call=None) -> NoticeTimings:
    """`NoticeTimings` for `tenant`, with `call`'s overrides (`Call.notice_settings`) when given."""
    return _overlay(tenant_timings(tenant), call.notice_settings if call is not None else None)


def _overlay(base: NoticeTimings, settings: dict | None) -> NoticeTimings:
    return dataclasses.replace(base, **{k: int(v) for k, v in (settings or {}).items() if k in LIMITS and v is not None})


def timings_by_call(tenant) -> Callable[[int | None], NoticeTimings]:
    """A lookup `call_id -> NoticeTimings` over every call of `tenant` (one query; an unknown or None
    id gets the tenant's timings) — for jobs that walk many engagements or cases."""
    base = tenant_timings(tenant)
    rows = db.session.execute(sa.select(Call.id, Call.notice_settings).where(Call.tenant_id == tenant.id)).all()
    by_id = {call_id: _overlay(base, settings) for call_id, settings in rows}
    return lambda call_id: by_id.get(call_id, base)


class NoticeSettingsError(ValueError):
    """A per-call notice setting outside its range (the message is Japanese and names the setting)."""


def set_call_timings(call, overrides: dict[str, int | None], *, actor: User | None) -> dict[str, int]:
    """Store `call`'s notice overrides (`{key: days}`; None or a missing key = the tenant's value),
    audited as "call.notice_settings" with before/after. Flushes, never commits.

    Raises `NoticeSettingsError` for an unknown key or a value outside `LIMITS`."""
    cleaned = {}
    for key, value in overrides.items():
        if key not in LIMITS:
            raise NoticeSettingsError(f"不明な通知設定です：{key}")
        if value is None:
            continue
        lo, hi, label = LIMITS[key]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise NoticeSettingsError(f"{label}：{lo}以上{hi}以下の整数にしてください。")
        cleaned[key] = value
    before = dict(call.notice_settings or {})
    call.notice_settings = cleaned
    db.session.flush()
    record_audit("call.notice_settings", tenant_id=call.tenant_id, actor=actor, target=call,
                 changes={"before": before, "after": cleaned})
    return cleaned
