"""Views of the engagements domain (routes under /t/<tenant_slug>/): the engagement list and
page, accept/decline/cancel/close, and the completion report (実績報告). Kickoff, sessions and
attachments are in `delivery_views.py` (same blueprint)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.cases.queries import case_of
from app.core.clock import today_jst
from app.core.web import ID_ARG, PAGE_ARG, YEAR_ARG, get_visible_or_404
from app.decisions.services import decline_assignment
from app.engagements import queries, services
from app.engagements.forms import CancelForm, DecideReportForm, DeclineForm, ReportForm
from app.engagements.models import Engagement
from app.engagements.overdue import report_due_on, stale_reasons
from app.engagements.permissions import (can_agree_kickoff, can_draft_kickoff, can_log_session, can_record_kickoff,
                                         can_transition_engagement, can_view_engagement, is_engagement_municipality,
                                         is_engagement_provider, is_operator)
from app.engagements.quotas import quota_usage
from app.engagements.services import EngagementError
from app.engagements.states import EngagementState
from app.engagements.timeline import engagement_timeline
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task
from app.surveys.queries import response_of

bp = Blueprint("engagements", __name__, url_prefix="/t/<tenant_slug>")
MEMBERS = (Role.OPERATOR, Role.PROVIDER, Role.MUNICIPAL)


def _load(engagement_id: int) -> Engagement:
    return get_visible_or_404(Engagement, engagement_id, can_view_engagement)


def _require(allowed: bool) -> None:
    if not allowed:
        abort(404)


def _to_detail(engagement: Engagement):
    return redirect(url_for("engagements.detail", engagement_id=engagement.id))


def _enum_arg(name: str, enum_cls):
    value = request.args.get(name, "")
    return enum_cls(value) if value in {m.value for m in enum_cls} else None


@bp.route("/engagements")
@role_required(*MEMBERS)
def index():
    """List the engagements the user may see (operator: all, with filters by year, state, provider)."""
    filters = {
        "fiscal_year": request.args.get("fiscal_year", type=YEAR_ARG),
        "state": _enum_arg("state", EngagementState),
        "provider_id": request.args.get("provider", type=ID_ARG) if current_user.role == Role.OPERATOR else None,
        "stale_only": request.args.get("stale") == "1",
    }
    page = queries.engagement_page(current_user, g.tenant, page=request.args.get("page", 1, type=PAGE_ARG), **filters)
    providers = queries.providers_of(g.tenant) if current_user.role == Role.OPERATOR else []
    return render_template("engagements/index.html", page=page, filters=filters, states=list(EngagementState),
                           years=queries.engagement_fiscal_years(current_user, g.tenant), providers=providers)


def _permissions(engagement: Engagement) -> dict:
    user = current_user
    return {
        "is_operator": is_operator(user, engagement), "is_provider": is_engagement_provider(user, engagement),
        "is_municipality": is_engagement_municipality(user, engagement),
        "can_edit_kickoff": can_draft_kickoff(user, engagement) or can_record_kickoff(user, engagement),
        "can_agree_kickoff": can_agree_kickoff(user, engagement), "can_log": can_log_session(user, engagement),
        "can_complete": can_transition_engagement(user, engagement, EngagementState.COMPLETED),
        "can_close": can_transition_engagement(user, engagement, EngagementState.CLOSED),
        "can_cancel": can_transition_engagement(user, engagement, EngagementState.CANCELLED),
    }


def _render_detail(engagement: Engagement, status: int = 200, **forms):
    forms.setdefault("decide_form", DecideReportForm())
    forms.setdefault("cancel_form", CancelForm())
    forms.setdefault("decline_form", DeclineForm())
    report, today = services.report_of(engagement), today_jst()
    return render_template(
        "engagements/detail.html", engagement=engagement, timeline=engagement_timeline(engagement, report),
        report=report, response=response_of(engagement), case=case_of(engagement), today=today,
        call=services.call_of(engagement), session_problem=services.session_logging_problem(engagement),
        report_problem=services.report_problem(engagement), usage=quota_usage(engagement),
        stale=stale_reasons(engagement, g.tenant, today), report_due=report_due_on(engagement, g.tenant),
        **_permissions(engagement), **forms,
    ), status


@bp.route("/engagements/<int:engagement_id>")
@role_required(*MEMBERS)
def detail(engagement_id: int):
    """One engagement: kickoff, sessions with attachments, quota use, 滞留 and report due date,
    completion report, survey status, case and the timeline (both sides see the same page)."""
    return _render_detail(_load(engagement_id))


@bp.route("/engagements/<int:engagement_id>/accept", methods=["POST"])
@role_required(Role.PROVIDER)
def accept(engagement_id: int):
    """The assigned provider accepts the engagement (割当済 → 受諾済)."""
    engagement = _load(engagement_id)
    _require(is_engagement_provider(current_user, engagement))
    services.accept_engagement(engagement, actor=current_user)
    db.session.commit()
    flash(_("支援案件を受諾しました。"), "success")
    return _to_detail(engagement)


@bp.route("/engagements/<int:engagement_id>/decline", methods=["POST"])
@role_required(Role.PROVIDER)
def decline(engagement_id: int):
    """The assigned provider declines the engagement with a reason (割当済 → 辞退); the capacity is
    freed and the operator is offered the next best application from the waitlist."""
    engagement = _load(engagement_id)
    _require(is_engagement_provider(current_user, engagement))
    form = DeclineForm()
    if not form.validate_on_submit():
        flash(_("入力内容を確認してください。"), "error")
        return _render_detail(engagement, 400, decline_form=form)
    decline_assignment(engagement, actor=current_user, reason=form.reason.data)
    db.session.commit()
    flash(_("支援案件を辞退しました。事務局に連絡されます。"), "success")
    return _to_detail(engagement)


@bp.route("/engagements/<int:engagement_id>/report", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def report(engagement_id: int):
    """The provider files (or refiles after a return) the completion report (実績報告)."""
    engagement = _load(engagement_id)
    _require(is_engagement_provider(current_user, engagement))
    problem = services.report_problem(engagement)
    if problem and request.method == "GET":
        flash(problem, "error")
        return _to_detail(engagement)
    previous = services.report_of(engagement)
    form = ReportForm(obj=previous) if request.method == "GET" else ReportForm()
    if form.validate_on_submit():
        try:
            services.submit_report(engagement, actor=current_user, summary=form.summary.data,
                                   outcomes=form.outcomes.data or "")
        except EngagementError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("実績報告を提出しました。"), "success")
            return _to_detail(engagement)
    status = 400 if form.is_submitted() else 200
    return render_template("engagements/report_form.html", engagement=engagement, form=form, previous=previous), status


@bp.route("/engagements/<int:engagement_id>/report/decide", methods=["POST"])
@role_required(Role.OPERATOR)
def report_decide(engagement_id: int):
    """The operator accepts the completion report or returns it with a reason (差戻し)."""
    engagement = _load(engagement_id)
    report = services.report_of(engagement)
    _require(report is not None)
    form = DecideReportForm()
    if not form.validate_on_submit():
        flash(_("入力内容を確認してください。"), "error")
        return _render_detail(engagement, 400, decide_form=form)
    try:
        services.decide_report(report, actor=current_user, accept=form.decision.data == "accept", reason=form.reason.data or "")
    except EngagementError as exc:
        flash(str(exc), "error")
        return _render_detail(engagement, 400, decide_form=form)
    db.session.commit()
    flash(_("実績報告を受理しました。") if form.decision.data == "accept" else _("実績報告を差し戻しました。"), "success")
    return _to_detail(engagement)


@bp.route("/engagements/<int:engagement_id>/close", methods=["POST"])
@role_required(Role.OPERATOR)
def close(engagement_id: int):
    """The operator closes a completed engagement whose report is accepted (支援完了 → 終了)."""
    engagement = _load(engagement_id)
    try:
        services.close_engagement(engagement, actor=current_user)
    except EngagementError as exc:
        flash(str(exc), "error")
        return _render_detail(engagement, 400)
    db.session.commit()
    flash(_("支援案件を終了しました。"), "success")
    return _to_detail(engagement)


@bp.route("/engagements/<int:engagement_id>/cancel", methods=["POST"])
@role_required(Role.OPERATOR)
def cancel(engagement_id: int):
    """The operator cancels an engagement, giving a reason (中止)."""
    engagement = _load(engagement_id)
    form = CancelForm()
    if not form.validate_on_submit():
        flash(_("入力内容を確認してください。"), "error")
        return _render_detail(engagement, 400, cancel_form=form)
    services.cancel_engagement(engagement, actor=current_user, reason=form.reason.data)
    db.session.commit()
    flash(_("支援案件を中止しました。"), "success")
    return _to_detail(engagement)


def engagement_tasks(user, tenant) -> list[Task]:
    """Home-page tasks: accept / kickoff / 滞留 / report (provider), agree kickoffs and confirm
    sessions (municipal), 滞留, overdue and submitted reports (operator)."""
    index, today = "engagements.index", today_jst()
    stale = Task(_("滞留している支援中の案件（支援実施記録が途絶えている・予定回数に未達）"),
                 queries.count_stale(user, tenant, today), index, {"stale": "1"})
    if user.role == Role.PROVIDER:
        return [
            Task(_("受諾待ちの支援案件"), queries.count_engagements(user, tenant, EngagementState.ASSIGNED), index, {"state": "assigned"}),
            Task(_("キックオフの記録が必要な案件"), queries.count_engagements(user, tenant, EngagementState.ACCEPTED), index, {"state": "accepted"}),
            stale,
            Task(_("実績報告の提出が必要な案件（差戻しを含む）"), queries.count_reports_due(user, tenant), index, {"state": "completed"}),
        ]
    if user.role == Role.MUNICIPAL:
        return [Task(_("合意待ちのキックオフ"), queries.count_kickoffs_to_agree(user, tenant), index, {"state": "accepted"}),
                Task(_("確認待ちの支援実施記録"), queries.count_sessions_to_confirm(user, tenant), index, {})]
    if user.role == Role.OPERATOR:
        return [stale,
                Task(_("提出期限を過ぎた実績報告"), queries.count_reports_overdue(user, tenant, today), index, {"state": "completed"}),
                Task(_("確認待ちの実績報告"), queries.count_reports_to_review(tenant), index, {"state": "completed"})]
    return []


TASK_PROVIDERS.append(engagement_tasks)

from app.engagements import delivery_views  # noqa: E402,F401  (routes on `bp`)
