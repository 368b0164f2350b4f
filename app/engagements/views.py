"""Views of the engagements domain (routes under /t/<tenant_slug>/): the engagement list and
page, support sessions (支援実施記録), their confirmation, and the completion report (実績報告)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.cases.queries import case_of
from app.core.audit import history_for
from app.core.clock import today_jst
from app.core.web import get_or_404, get_visible_or_404
from app.decisions.services import decline_assignment
from app.engagements import queries, services
from app.engagements.forms import CancelForm, ConfirmSessionForm, DecideReportForm, DeclineForm, ReportForm, SessionForm
from app.engagements.models import Engagement, SupportSession
from app.engagements.permissions import can_view_engagement, is_engagement_municipality, is_engagement_provider, is_operator
from app.engagements.services import EngagementError
from app.engagements.states import EngagementState
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
        "fiscal_year": request.args.get("fiscal_year", type=int),
        "state": _enum_arg("state", EngagementState),
        "provider_id": request.args.get("provider", type=int) if current_user.role == Role.OPERATOR else None,
    }
    page = queries.engagement_page(current_user, g.tenant, page=request.args.get("page", 1, type=int), **filters)
    providers = queries.providers_of(g.tenant) if current_user.role == Role.OPERATOR else []
    return render_template("engagements/index.html", page=page, filters=filters, states=list(EngagementState),
                           years=queries.engagement_fiscal_years(current_user, g.tenant), providers=providers)


def _render_detail(engagement: Engagement, status: int = 200, **forms):
    forms.setdefault("decide_form", DecideReportForm())
    forms.setdefault("cancel_form", CancelForm())
    forms.setdefault("decline_form", DeclineForm())
    return render_template(
        "engagements/detail.html", engagement=engagement, timeline=history_for("engagement", engagement.id), states=EngagementState,
        report=services.report_of(engagement), response=response_of(engagement), case=case_of(engagement),
        call=services.call_of(engagement), session_problem=services.session_logging_problem(engagement),
        report_problem=services.report_problem(engagement), is_operator=is_operator(current_user, engagement),
        is_provider=is_engagement_provider(current_user, engagement),
        is_municipality=is_engagement_municipality(current_user, engagement), **forms,
    ), status


@bp.route("/engagements/<int:engagement_id>")
@role_required(*MEMBERS)
def detail(engagement_id: int):
    """One engagement: timeline, sessions, completion report, survey status and case."""
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


@bp.route("/engagements/<int:engagement_id>/sessions/new", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def session_new(engagement_id: int):
    """The provider logs a support session (only from the support phase on, digest §10.5)."""
    engagement = _load(engagement_id)
    _require(is_engagement_provider(current_user, engagement))
    problem = services.session_logging_problem(engagement)
    if problem and request.method == "GET":
        flash(problem, "error")
        return _to_detail(engagement)
    form = SessionForm()
    if form.validate_on_submit():
        try:
            services.log_session(
                engagement, actor=current_user, held_on=form.held_on.data, format=form.format.data,
                duration_minutes=form.duration_minutes(), attendees=form.attendees(), content=form.content.data,
                proposals_count=form.proposals_count.data or 0, proposals_text=form.proposals_text.data or "",
                next_steps=form.next_steps.data or "", today=today_jst())
        except EngagementError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("支援実施記録を登録しました。"), "success")
            return _to_detail(engagement)
    status = 400 if form.is_submitted() else 200
    return render_template("engagements/session_form.html", engagement=engagement, form=form), status


@bp.route("/sessions/<int:session_id>/confirm", methods=["POST"])
@role_required(Role.MUNICIPAL)
def session_confirm(session_id: int):
    """Municipal staff confirm a session of their municipality, with an optional comment."""
    session = get_or_404(SupportSession, session_id, SupportSession.tenant_id == g.tenant.id)
    engagement = _load(session.engagement_id)
    _require(is_engagement_municipality(current_user, engagement))
    form = ConfirmSessionForm()
    if form.validate_on_submit():
        try:
            services.confirm_session(session, actor=current_user, comment=form.comment.data or "")
        except EngagementError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("支援実施記録を確認しました。"), "success")
            return _to_detail(engagement)
    else:
        flash(_("コメントは2000文字以内で入力してください。"), "error")
    return _render_detail(engagement, 400)


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
    """Home-page tasks: accept / log / report (provider), confirm sessions (municipal), review reports (operator)."""
    index = "engagements.index"
    if user.role == Role.PROVIDER:
        return [
            Task(_("受諾待ちの支援案件"), queries.count_engagements(user, tenant, EngagementState.ASSIGNED), index, {"state": "assigned"}),
            Task(_("4週間以上支援実施記録がない支援中の案件"), queries.count_stale(user, tenant, today_jst()), index, {"state": "in_progress"}),
            Task(_("実績報告の提出が必要な案件（差戻しを含む）"), queries.count_reports_due(user, tenant), index, {"state": "in_progress"}),
        ]
    if user.role == Role.MUNICIPAL:
        return [Task(_("確認待ちの支援実施記録"), queries.count_sessions_to_confirm(user, tenant), index, {})]
    if user.role == Role.OPERATOR:
        return [Task(_("確認待ちの実績報告"), queries.count_reports_to_review(tenant), index, {"state": "completed"})]
    return []


TASK_PROVIDERS.append(engagement_tasks)
