import datetime as dt
import itertools

import pytest

from app.calls.states import CallPhase
from app.core.audit import history_for
from app.core.states import TransitionError
from app.engagements import services
from app.engagements.services import EngagementError
from app.engagements.states import REPORT_TRANSITIONS, TRANSITIONS, EngagementState, ReportState
from app.extensions import db
from tests.conftest import in_tenant
from tests.engagements import builders

ALL_EDGES = list(itertools.product(EngagementState, EngagementState))


@pytest.mark.parametrize(("from_state", "to_state"), ALL_EDGES, ids=[f"{a}->{b}" for a, b in ALL_EDGES])
def test_every_engagement_edge_is_allowed_or_refused_by_the_table(app, from_state, to_state):
    with in_tenant(app) as t:
        e = builders.engagement(t, state=from_state)
        if to_state in TRANSITIONS[from_state]:
            services.transition_engagement(e, to_state, actor=None, note="理由あり")
            assert e.state == to_state
            assert history_for("engagement", e.id)[-1].to_state == to_state.value
        else:
            with pytest.raises(TransitionError):
                services.transition_engagement(e, to_state, actor=None, note="理由あり")
            assert e.state == from_state


def test_accept_moves_assigned_to_accepted_and_only_once(app):
    with in_tenant(app) as t:
        e = builders.engagement(t)
        services.accept_engagement(e, actor=None)
        assert e.state == EngagementState.ACCEPTED
        with pytest.raises(TransitionError):
            services.accept_engagement(e, actor=None)


def test_cancel_needs_a_reason_and_keeps_it(app):
    with in_tenant(app) as t:
        e = builders.engagement(t, state=EngagementState.IN_PROGRESS)
        with pytest.raises(EngagementError, match="理由"):
            services.cancel_engagement(e, actor=None, reason="  ")
        services.cancel_engagement(e, actor=None, reason="市町村の事情により")
        assert (e.state, e.cancel_reason) == (EngagementState.CANCELLED, "市町村の事情により")


@pytest.mark.parametrize("phase", [CallPhase.APPLICATIONS, CallPhase.SELECTION])
def test_sessions_are_refused_before_the_support_phase(app, phase):
    with in_tenant(app) as t:
        e = builders.engagement(t, phase=phase, state=EngagementState.ACCEPTED)
        with pytest.raises(EngagementError, match="支援開始"):
            builders.log(e)
        assert e.sessions == []


@pytest.mark.parametrize("phase", [CallPhase.SUPPORT, CallPhase.CLOSING, CallPhase.CLOSED])
def test_sessions_are_allowed_from_the_support_phase_on(app, phase):
    with in_tenant(app) as t:
        e = builders.engagement(t, phase=phase, state=EngagementState.ACCEPTED)
        session = builders.log(e)
        assert session.id and session.attendees == {"首長・副首長": 0, "管理職": 1, "担当職員": 3, "その他": 0}


@pytest.mark.parametrize("state", [EngagementState.ASSIGNED, EngagementState.COMPLETED, EngagementState.CLOSED,
                                   EngagementState.CANCELLED])
def test_sessions_are_refused_unless_in_progress(app, state):
    with in_tenant(app) as t:
        e = builders.engagement(t, state=state)
        with pytest.raises(EngagementError, match="状態"):
            builders.log(e)


def test_the_first_session_cannot_be_logged_before_the_kickoff(app):
    with in_tenant(app) as t:
        e = builders.engagement(t, state=EngagementState.ACCEPTED)
        with pytest.raises(EngagementError, match="キックオフ"):
            services.log_session(e, actor=None, held_on=dt.date(2024, 7, 10), format="onsite", duration_minutes=60,
                                 attendees={"担当職員": 1}, content="説明", today=dt.date(2024, 12, 1))
        builders.start(e)
        assert e.state == EngagementState.IN_PROGRESS
        builders.log(e)
        builders.log(e, held_on=dt.date(2024, 8, 1))
        assert e.state == EngagementState.IN_PROGRESS and len(e.sessions) == 2


def test_a_session_in_the_future_is_refused(app):
    with in_tenant(app) as t:
        e = builders.started(t)
        with pytest.raises(EngagementError, match="未来"):
            services.log_session(e, actor=None, held_on=dt.date(2024, 12, 2), format="online", duration_minutes=60,
                                 attendees={"担当職員": 1}, content="説明", today=dt.date(2024, 12, 1))
        services.log_session(e, actor=None, held_on=dt.date(2024, 12, 1), format="online", duration_minutes=60,
                             attendees={"担当職員": 1}, content="説明", today=dt.date(2024, 12, 1))


@pytest.mark.parametrize(("changes", "message"), [
    ({"duration_minutes": 14}, "0.25〜24"),
    ({"duration_minutes": 1441}, "0.25〜24"),
    ({"duration_minutes": 70}, "15分"),
    ({"categories": ["NOPE"]}, "分類"),
    ({"attendees": {"担当職員": 0}}, "1名以上"),
    ({"attendees": {"住民": 2}}, "0〜999"),
    ({"attendees": {"担当職員": 1000}}, "0〜999"),
    ({"content": "   "}, "支援内容"),
    ({"proposals_count": -1}, "提案件数"),
])
def test_invalid_session_fields_are_refused(app, changes, message):
    fields = {"held_on": dt.date(2024, 7, 10), "format": "onsite", "duration_minutes": 60,
              "attendees": {"担当職員": 2}, "content": "内容", "proposals_count": 0, **changes}
    with in_tenant(app) as t:
        e = builders.started(t)
        with pytest.raises(EngagementError, match=message):
            services.log_session(e, actor=None, today=dt.date(2024, 12, 1), **fields)


def test_confirm_session_records_who_when_and_comment_once(app):
    with in_tenant(app) as t:
        e = builders.engagement(t, state=EngagementState.ACCEPTED)
        session = builders.log(e)
        services.confirm_session(session, actor=None, comment=" 内容に相違ありません ")
        assert session.confirmed_at is not None and session.municipal_comment == "内容に相違ありません"
        with pytest.raises(EngagementError, match="確認済み"):
            services.confirm_session(session, actor=None)


def test_completion_needs_a_session_confirmed_by_the_municipality(app):
    with in_tenant(app) as t:
        e = builders.started(t)
        with pytest.raises(EngagementError, match="確認した支援実施記録"):
            services.complete_engagement(e, actor=None)
        session = builders.log(e)
        with pytest.raises(EngagementError, match="確認した支援実施記録"):
            services.complete_engagement(e, actor=None)
        services.confirm_session(session, actor=None)
        services.complete_engagement(e, actor=None)
        assert e.state == EngagementState.COMPLETED and e.completed_at is not None
        with pytest.raises(TransitionError):
            services.complete_engagement(e, actor=None)


def test_report_needs_a_completed_engagement(app):
    with in_tenant(app) as t:
        running = builders.started(t)
        builders.log(running)
        with pytest.raises(EngagementError, match="支援完了"):
            services.submit_report(running, actor=None, summary="概要")


def test_submit_report_keeps_the_engagement_completed_and_needs_a_summary(app):
    with in_tenant(app) as t:
        e = builders.started(t)
        services.confirm_session(builders.log(e), actor=None)
        services.complete_engagement(e, actor=None)
        with pytest.raises(EngagementError, match="概要"):
            services.submit_report(e, actor=None, summary=" ")
        report = services.submit_report(e, actor=None, summary="概要", outcomes="成果")
        assert (report.state, e.state) == (ReportState.SUBMITTED, EngagementState.COMPLETED)
        assert history_for("completion_report", report.id)[0].to_state == "submitted"


def test_returned_report_reopens_the_engagement_and_can_be_resubmitted(app):
    with in_tenant(app) as t:
        e = builders.completed(t)
        report = services.report_of(e)
        with pytest.raises(EngagementError, match="理由"):
            services.decide_report(report, actor=None, accept=False, reason="")
        services.decide_report(report, actor=None, accept=False, reason="成果を具体的に")
        assert (report.state, report.return_reason, e.state) == (ReportState.RETURNED, "成果を具体的に", EngagementState.COMPLETED)
        services.submit_report(e, actor=None, summary="改訂した概要", outcomes="改定率100%")
        assert (report.state, report.summary, e.state) == (ReportState.SUBMITTED, "改訂した概要", EngagementState.COMPLETED)


def test_a_submitted_report_cannot_be_filed_twice(app):
    with in_tenant(app) as t:
        e = builders.completed(t)
        with pytest.raises(EngagementError, match="既に提出"):
            services.submit_report(e, actor=None, summary="二重")


def _report_in(tenant, state: ReportState):
    e = builders.completed(tenant)
    report = services.report_of(e)
    if state != ReportState.SUBMITTED:
        services.decide_report(report, actor=None, accept=state == ReportState.ACCEPTED, reason="差戻し理由")
    return report


REPORT_EDGES = list(itertools.product(ReportState, ReportState))


@pytest.mark.parametrize(("from_state", "to_state"), REPORT_EDGES, ids=[f"{a}->{b}" for a, b in REPORT_EDGES])
def test_every_report_edge_is_allowed_or_refused_by_the_table(app, from_state, to_state):
    with in_tenant(app) as t:
        report = _report_in(t, from_state)
        assert report.state == from_state
        if to_state in REPORT_TRANSITIONS[from_state]:
            services.transition_report(report, to_state, actor=None, note="理由")
            assert report.state == to_state
        else:
            with pytest.raises(TransitionError):
                services.transition_report(report, to_state, actor=None, note="理由")


def test_close_only_after_the_report_is_accepted(app):
    with in_tenant(app) as t:
        e = builders.completed(t)
        with pytest.raises(EngagementError, match="受理"):
            services.close_engagement(e, actor=None)
        services.decide_report(services.report_of(e), actor=None, accept=True)
        services.close_engagement(e, actor=None)
        assert e.state == EngagementState.CLOSED
        db.session.flush()
        assert [h.to_state for h in history_for("engagement", e.id)] == ["accepted", "in_progress", "completed", "closed"]
