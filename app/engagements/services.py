"""Engagement services: create engagements (from a confirmed selection, or past years' records),
move them through their workflow, log support sessions (支援実施記録) and handle the completion
report (実績報告). Services flush, never commit, never read `flask.request`."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import gettext as _

from app.applications.models import Application
from app.calls.models import Call
from app.calls.states import CallPhase
from app.core.audit import apply_transition, record_audit, record_transition
from app.core.clock import today_jst
from app.core.db import utcnow
from app.core.states import check_transition
from app.engagements.models import CompletionReport, Engagement, SupportSession
from app.engagements.quotas import quota_problem
from app.engagements.states import REPORT_TRANSITIONS, TRANSITIONS, EngagementState, ReportState
from app.extensions import db
from app.menus.states import DeliveryFormat
from app.tenancy.models import Tenant

# Attendees are counted by role, never named (personal data stays out, product.md §8).
ATTENDEE_ROLES = ("首長・副首長", "管理職", "担当職員", "その他")
LOGGABLE_STATES = {EngagementState.IN_PROGRESS}  # after the kickoff (kickoff.py), until completion
MIN_MINUTES, MAX_MINUTES, STEP_MINUTES = 15, 24 * 60, 15  # 0.25 h to 24 h per session, in 0.25 h steps


class EngagementError(ValueError):
    """The engagement cannot be created or changed as asked (message is user-facing Japanese)."""


def _new_engagement(call, municipality_id: int, menu_item, *, actor, state: EngagementState, note: str = "",
                    **fields) -> Engagement:
    """An engagement of `call` with the provider and unit cost (千円) of `menu_item`, flushed, with
    its first history row."""
    engagement = Engagement(
        tenant_id=call.tenant_id, call_id=call.id, fiscal_year=call.fiscal_year, municipality_id=municipality_id,
        menu_item_id=menu_item.id, provider_id=menu_item.provider_id,
        cost_thousand_yen=menu_item.unit_cost_thousand_yen, state=state, **fields,
    )
    db.session.add(engagement)
    db.session.flush()
    record_transition("engagement", engagement, None, state, actor=actor, note=note)
    return engagement


def assign_engagement(*, call, application, menu_item, actor) -> Engagement:
    """Create the engagement of a selected application with the provider of `menu_item`.

    Cost is the item's unit cost (千円). Raises `EngagementError` when the application already
    has one (one engagement per application, quality.md; also a UNIQUE constraint). The
    application row is locked first (FOR UPDATE on PostgreSQL), so simultaneous callers run one
    after the other and the later ones get this error rather than a constraint violation.
    """
    db.session.execute(sa.select(Application.id).where(Application.id == application.id,
                                                       Application.tenant_id == call.tenant_id).with_for_update())
    exists = db.session.scalar(sa.select(Engagement.id).where(Engagement.application_id == application.id))
    if exists:
        raise EngagementError("この申込には既に支援案件があります。")
    engagement = _new_engagement(call, application.municipality_id, menu_item, actor=actor, state=EngagementState.ASSIGNED,
                                 application_id=application.id, is_sample=application.is_sample)
    record_audit("engagement.assign", tenant_id=call.tenant_id, actor=actor, target=engagement,
                 changes={"application_id": application.id, "menu_item_id": menu_item.id, "provider_id": menu_item.provider_id})
    return engagement


def record_past_engagement(*, call, municipality, menu_item, actor, state: EngagementState = EngagementState.CLOSED,
                           is_sample: bool = False) -> Engagement:
    """Record an engagement of a past fiscal year (no application), e.g. from last years' spreadsheets,
    so that the 2-year priority (001:170) and 3-year coverage (001:165) are right from day one."""
    return _new_engagement(call, municipality.id, menu_item, actor=actor, state=state, is_sample=is_sample,
                           note="過去年度の実績として登録")


def transition_engagement(engagement: Engagement, to_state: EngagementState, *, actor, note: str = "") -> Engagement:
    """Move an engagement along `TRANSITIONS` (the only place that assigns `Engagement.state`).

    Side effects, in order: edge check (`TransitionError`); a cancel or a decline (辞退) needs a
    reason (`EngagementError`), kept in `cancel_reason` / `decline_reason`; completion stamps
    `completed_at` (the 実績報告 is due from it); state set; history row and audit event written.
    Who may take which edge is `permissions.can_transition_engagement`.
    """
    check_transition("engagement", TRANSITIONS, engagement.state, to_state)
    if to_state == EngagementState.CANCELLED:
        if not note.strip():
            raise EngagementError("中止の理由を入力してください。")
        engagement.cancel_reason = note.strip()
    if to_state == EngagementState.DECLINED:
        if not note.strip():
            raise EngagementError(_("辞退の理由を入力してください。"))
        engagement.decline_reason = note.strip()
    if to_state == EngagementState.COMPLETED:
        engagement.completed_at = utcnow()
    return apply_transition("engagement", engagement, to_state, actor=actor, note=note)


def accept_engagement(engagement: Engagement, *, actor) -> Engagement:
    """The provider accepts its assignment (ASSIGNED → ACCEPTED). Raises `TransitionError` otherwise."""
    return transition_engagement(engagement, EngagementState.ACCEPTED, actor=actor)


def decline_engagement(engagement: Engagement, *, actor, reason: str) -> Engagement:
    """The provider declines its assignment (辞退, ASSIGNED → DECLINED) giving `reason`.

    A declined engagement no longer counts (`states.COUNTED`): its capacity and cost (千円) are
    free again and it never counts as supported (coverage). Raises `EngagementError` without a
    reason, `TransitionError` unless ASSIGNED. Re-proposing the freed capacity is
    `app.decisions.services.decline_assignment`, which calls this.
    """
    return transition_engagement(engagement, EngagementState.DECLINED, actor=actor, note=reason)


def complete_engagement(engagement: Engagement, *, actor) -> Engagement:
    """The provider marks the support complete (IN_PROGRESS → COMPLETED); the 実績報告 is then due.

    Needs at least one session confirmed by the municipality (`EngagementError`); `TransitionError`
    unless IN_PROGRESS.
    """
    check_transition("engagement", TRANSITIONS, engagement.state, EngagementState.COMPLETED)
    confirmed = db.session.scalar(sa.select(sa.func.count(SupportSession.id)).where(
        SupportSession.engagement_id == engagement.id, SupportSession.tenant_id == engagement.tenant_id,
        SupportSession.confirmed_at.is_not(None)))
    if not confirmed:
        raise EngagementError(_("市町村が確認した支援実施記録が1件以上必要です。"))
    transition_engagement(engagement, EngagementState.COMPLETED, actor=actor, note="支援完了")
    # The 事後アンケート is sent when the support completes (issue 4 §4). Imported here because
    # the surveys domain builds on engagements, not the other way round.
    from app.surveys.requests import request_survey
    request_survey(engagement, actor=actor)
    return engagement


def cancel_engagement(engagement: Engagement, *, actor, reason: str) -> Engagement:
    """The operator cancels an engagement (any open state → CANCELLED); `reason` is required
    (`EngagementError`). A cancelled engagement never counts as supported (coverage)."""
    return transition_engagement(engagement, EngagementState.CANCELLED, actor=actor, note=reason)


def close_engagement(engagement: Engagement, *, actor) -> Engagement:
    """The operator closes a COMPLETED engagement once its completion report is accepted.

    Raises `EngagementError` when the report is missing or not accepted, `TransitionError` when
    the engagement is not COMPLETED.
    """
    report = report_of(engagement)
    if report is None or report.state != ReportState.ACCEPTED:
        raise EngagementError(_("実績報告が受理されるまで終了できません。"))
    return transition_engagement(engagement, EngagementState.CLOSED, actor=actor)


def call_of(engagement: Engagement) -> Call:
    """The call (fiscal year) the engagement belongs to."""
    return db.session.scalar(sa.select(Call).where(Call.id == engagement.call_id, Call.tenant_id == engagement.tenant_id))


def session_logging_problem(engagement: Engagement) -> str | None:
    """Why a session cannot be logged now (Japanese message), or None when it can.

    Sessions start with the support phase of the call, after the council's general meeting
    (001:254, digest §10.5), and only while the engagement is IN_PROGRESS, i.e. after the kickoff.
    """
    phases = list(CallPhase)
    if phases.index(call_of(engagement).phase) < phases.index(CallPhase.SUPPORT):
        return _("支援開始（支援実施フェーズ）前のため、支援実施記録はまだ登録できません。")
    if engagement.state == EngagementState.ACCEPTED:
        return _("キックオフ（市町村の課題・目標の合意）を記録してから支援実施記録を登録してください。")
    if engagement.state not in LOGGABLE_STATES:
        return _("この案件の状態（%(state)s）では支援実施記録を登録できません。", state=engagement.state.label)
    return None


def _check_session_fields(held_on: dt.date, duration_minutes: int, attendees: dict, content: str,
                          proposals_count: int, today: dt.date) -> dict[str, int]:
    if held_on > today:
        raise EngagementError(_("実施日に未来の日付は指定できません。"))
    if not MIN_MINUTES <= duration_minutes <= MAX_MINUTES:
        raise EngagementError(_("実施時間は0.25〜24時間の範囲で入力してください。"))
    if duration_minutes % STEP_MINUTES:
        raise EngagementError(_("実施時間は0.25時間（15分）単位で入力してください。"))
    unknown = set(attendees) - set(ATTENDEE_ROLES)
    if unknown or any(not isinstance(v, int) or not 0 <= v <= 999 for v in attendees.values()):
        raise EngagementError(_("参加者数は役職ごとに0〜999の整数で入力してください。"))
    if sum(attendees.values()) < 1:
        raise EngagementError(_("参加者を1名以上入力してください。"))
    if not content.strip():
        raise EngagementError(_("支援内容を入力してください。"))
    if proposals_count < 0:
        raise EngagementError(_("提案件数は0以上で入力してください。"))
    return {role: attendees.get(role, 0) for role in ATTENDEE_ROLES}


def _check_categories(engagement: Engagement, categories: list[str]) -> list[str]:
    known = {c["code"] for c in db.session.get(Tenant, engagement.tenant_id).categories or []}
    if set(categories) - known:
        raise EngagementError(_("支援テーマに不明な分類があります。"))
    return sorted(set(categories))


def log_session(engagement: Engagement, *, actor, held_on: dt.date, format: DeliveryFormat, duration_minutes: int,
                attendees: dict[str, int], content: str, proposals_count: int = 0, proposals_text: str = "",
                next_steps: str = "", start_time: dt.time | None = None, categories: list[str] = (),
                today: dt.date | None = None) -> SupportSession:
    """Log one support session of an IN_PROGRESS engagement (by its provider, after the kickoff).

    `duration_minutes` 15–1440 in 15-minute steps (the form asks for hours in 0.25 steps);
    `attendees` counts by role (`ATTENDEE_ROLES`, 0–999 each, at least one person); `held_on` not
    after `today` (JST); `start_time` JST wall clock; `categories` tenant category codes. Tenant
    quotas (`quotas.py`) apply. Raises `EngagementError` (phase, state, input, quota).
    """
    problem = session_logging_problem(engagement)
    if problem:
        raise EngagementError(problem)
    counts = _check_session_fields(held_on, duration_minutes, attendees, content, proposals_count, today or today_jst())
    codes = _check_categories(engagement, list(categories))
    problem = quota_problem(engagement, duration_minutes)
    if problem:
        raise EngagementError(problem)
    session = SupportSession(
        tenant_id=engagement.tenant_id, engagement_id=engagement.id, held_on=held_on, format=DeliveryFormat(format),
        duration_minutes=duration_minutes, attendees=counts, content=content.strip(), proposals_count=proposals_count,
        proposals_text=proposals_text.strip(), next_steps=next_steps.strip(), logged_by_id=getattr(actor, "id", None),
        start_time=start_time, categories=codes,
    )
    engagement.sessions.append(session)  # keeps a loaded collection current (sorted by held_on on reload)
    db.session.flush()
    record_audit("session.log", tenant_id=engagement.tenant_id, actor=actor, target=session,
                 changes={"engagement_id": engagement.id, "held_on": held_on.isoformat()})
    return session


def confirm_session(session: SupportSession, *, actor, comment: str = "") -> SupportSession:
    """The municipality confirms a logged session, optionally with a comment.

    Raises `EngagementError` when the session is already confirmed (a confirmation is not redone).
    """
    if session.confirmed_at is not None:
        raise EngagementError(_("この支援実施記録は既に確認済みです。"))
    session.confirmed_at = utcnow()
    session.confirmed_by_id = getattr(actor, "id", None)
    session.municipal_comment = comment.strip()
    db.session.flush()
    record_audit("session.confirm", tenant_id=session.tenant_id, actor=actor, target=session)
    return session


def report_of(engagement: Engagement) -> CompletionReport | None:
    """The completion report of `engagement`, or None."""
    return db.session.scalar(sa.select(CompletionReport).where(
        CompletionReport.engagement_id == engagement.id, CompletionReport.tenant_id == engagement.tenant_id))


def transition_report(report: CompletionReport, to_state: ReportState, *, actor, note: str = "") -> CompletionReport:
    """Move a completion report along `REPORT_TRANSITIONS` (the only place that assigns its state).

    Side effects, in order: edge check (`TransitionError`); a return needs a reason, kept in
    `return_reason` (`EngagementError`); a (re)submission stamps `submitted_at/by`; state set;
    history row and audit event written.
    """
    check_transition("completion_report", REPORT_TRANSITIONS, report.state, to_state)
    if to_state == ReportState.RETURNED:
        if not note.strip():
            raise EngagementError(_("差戻しの理由を入力してください。"))
        report.return_reason = note.strip()
    if to_state == ReportState.SUBMITTED:
        report.submitted_at, report.submitted_by_id = utcnow(), getattr(actor, "id", None)
    return apply_transition("completion_report", report, to_state, actor=actor, note=note)


def report_problem(engagement: Engagement) -> str | None:
    """Why the provider cannot file the 実績報告 now (Japanese message), or None when it can:
    the engagement must be COMPLETED (which needs a confirmed session), and any report RETURNED."""
    if engagement.state != EngagementState.COMPLETED:
        return _("支援完了とした案件のみ実績報告を提出できます。")
    report = report_of(engagement)
    if report is not None and report.state != ReportState.RETURNED:
        return _("実績報告は既に提出されています。")
    return None


def submit_report(engagement: Engagement, *, actor, summary: str, outcomes: str = "") -> CompletionReport:
    """File (or, after a return, refile) the 実績報告 of a COMPLETED engagement (due date: `overdue.py`).

    Raises `EngagementError` when `report_problem` names one or the summary is empty.
    """
    problem = report_problem(engagement) or (None if summary.strip() else _("報告の概要を入力してください。"))
    if problem:
        raise EngagementError(problem)
    report = report_of(engagement)
    if report is None:
        report = CompletionReport(tenant_id=engagement.tenant_id, engagement_id=engagement.id, summary=summary.strip(),
                                  outcomes=outcomes.strip(), submitted_at=utcnow(), submitted_by_id=getattr(actor, "id", None))
        db.session.add(report)
        db.session.flush()
        record_transition("completion_report", report, None, ReportState.SUBMITTED, actor=actor)
    else:
        report.summary, report.outcomes = summary.strip(), outcomes.strip()
        transition_report(report, ReportState.SUBMITTED, actor=actor, note="再提出")
    return report


def decide_report(report: CompletionReport, *, actor, accept: bool, reason: str = "") -> CompletionReport:
    """The operator accepts the report, or returns it with `reason` (差戻し) for the provider to
    revise and refile; the engagement stays COMPLETED (its report is then due again).

    Raises `TransitionError` unless the report is SUBMITTED, `EngagementError` for a return
    without a reason.
    """
    if accept:
        return transition_report(report, ReportState.ACCEPTED, actor=actor)
    return transition_report(report, ReportState.RETURNED, actor=actor, note=reason)
