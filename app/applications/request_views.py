"""Views of 派遣依頼 (routes under /t/<tenant_slug>/requests, on the applications blueprint): an
applicant body files requests and follows them; the program office approves or declines each one.
Only continuous / on-demand tenants have these pages (404 elsewhere)."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.applications import request_queries as queries
from app.applications.forms import ApproveForm, DeclineForm, RequestForm
from app.applications.models import Application
from app.applications.permissions import (
    applicant_body_of,
    can_decide_request,
    can_view_request,
    can_withdraw_request,
    is_own_request,
)
from app.applications.queries import published_menu_items
from app.applications.requests import (
    ApplicationError,
    approve_request,
    decline_request,
    quota_problem,
    submit_request,
    withdraw_request,
)
from app.applications.services import TEXT_FIELDS
from app.applications.states import REQUEST_LABELS, ApplicationState
from app.applications.views import bp
from app.auth.models import Role
from app.auth.permissions import role_required
from app.calls.states import CallModel
from app.core.audit import history_for
from app.core.pagination import paginate
from app.core.web import PAGE_ARG, YEAR_ARG, get_visible_or_404
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task


def _require_request_program() -> None:
    if not g.tenant.takes_requests:
        abort(404)


def _own_body():
    _require_request_program()
    body = applicant_body_of(current_user)
    if body is None:
        abort(404)
    return body


def _quota(call, body_id: int) -> dict | None:
    if call is None or call.max_dispatches_per_body is None:
        return None
    used = queries.quota_counts(g.tenant, call).get(body_id, 0)
    return {"limit": call.max_dispatches_per_body, "used": used, "left": max(0, call.max_dispatches_per_body - used)}


@bp.route("/requests")
@role_required(Role.MUNICIPAL)
def requests():
    """The own body's 派遣依頼 across fiscal years, and how many it may still file this year."""
    body = _own_body()
    call = queries.open_request_call(g.tenant)
    return render_template("applications/requests_index.html", body=body, call=call, quota=_quota(call, body.id),
                           requests=queries.requests_of_body(g.tenant, body.id), labels=REQUEST_LABELS)


def _render_form(form, call, body, status: int = 200):
    return render_template("applications/request_form.html", form=form, call=call, body=body,
                           quota=_quota(call, body.id)), status


@bp.route("/requests/new", methods=["GET", "POST"])
@role_required(Role.MUNICIPAL)
def new_request():
    """File a 派遣依頼: one theme, what support is wanted and when. It is submitted at once."""
    body = _own_body()
    call = queries.open_request_call(g.tenant)
    blocker = _("現在、派遣の依頼を受け付けている年度はありません。") if call is None else quota_problem(call, body.id)
    if blocker:
        return render_template("applications/closed.html", message=blocker, back="applications.requests"), (400 if request.method == "POST" else 200)
    items = {item.id: item for item in published_menu_items(g.tenant, call)}
    form = RequestForm()
    form.set_menu([(str(i.id), f"{i.title}（{i.provider.name}）") for i in items.values()])
    if not form.validate_on_submit():
        return _render_form(form, call, body, status=400 if form.is_submitted() else 200)
    try:
        application = submit_request(call, body, actor=current_user, menu_item=items[form.chosen_ids()[0]],
                                     **{key: form[key].data or "" for key in TEXT_FIELDS})
    except ApplicationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_form(form, call, body, status=400)
    db.session.commit()
    flash(_("派遣を依頼しました。事務局の承認をお待ちください。"), "success")
    return redirect(url_for(".request_detail", request_id=application.id))


def _load(request_id: int) -> Application:
    """The request `request_id` visible to the user; 404 for an application of an annual call."""
    application = get_visible_or_404(Application, request_id, can_view_request)
    if application.call.call_model == CallModel.ANNUAL:
        abort(404)
    return application


def _render_detail(application: Application, status: int = 200, approve_form=None, decline_form=None):
    user = current_user
    return render_template(
        "applications/request_detail.html", application=application, call=application.call, labels=REQUEST_LABELS,
        history=history_for("application", application.id), is_owner=is_own_request(user, application),
        can_decide=can_decide_request(user, application), can_withdraw=can_withdraw_request(user, application),
        approve_form=approve_form or ApproveForm(), decline_form=decline_form or DeclineForm(),
        quota=_quota(application.call, application.municipality_id), ApplicationState=ApplicationState,
    ), status


@bp.route("/requests/<int:request_id>")
@role_required(Role.MUNICIPAL, Role.OPERATOR)
def request_detail(request_id: int):
    """One 派遣依頼: theme, what and when, state (審査中・承認・不承認・取下げ), reason and history."""
    return _render_detail(_load(request_id))


def _decide(request_id: int, form_class, action, message: str, form_key: str):
    application = _load(request_id)
    if not can_decide_request(current_user, application):
        flash(_("この依頼は現在、承認・不承認できません（決定済みか、受付を終了した年度です）。"), "error")
        return redirect(url_for(".request_detail", request_id=application.id))
    form = form_class()
    if not form.validate_on_submit():
        return _render_detail(application, status=400, **{form_key: form})
    try:
        action(application, form)
    except ApplicationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_detail(_load(request_id), status=400)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".manage_requests", fiscal_year=application.call.fiscal_year))


@bp.route("/requests/<int:request_id>/approve", methods=["POST"])
@role_required(Role.OPERATOR)
def approve_request_view(request_id: int):
    """Operator: approve (承認) a pending request; the engagement with the theme's provider is created."""
    return _decide(request_id, ApproveForm,
                   lambda a, f: approve_request(a, actor=current_user, note=f.note.data or ""),
                   _("依頼を承認しました。支援案件を作成しました。"), "approve_form")


@bp.route("/requests/<int:request_id>/decline", methods=["POST"])
@role_required(Role.OPERATOR)
def decline_request_view(request_id: int):
    """Operator: decline (不承認) a pending request with a reason shown to the body."""
    return _decide(request_id, DeclineForm,
                   lambda a, f: decline_request(a, actor=current_user, reason=f.reason.data or ""),
                   _("依頼を不承認にしました。"), "decline_form")


@bp.route("/requests/<int:request_id>/withdraw", methods=["POST"])
@role_required(Role.MUNICIPAL)
def withdraw_request_view(request_id: int):
    """The requesting body withdraws (取下げ) a pending request."""
    application = _load(request_id)
    if not is_own_request(current_user, application):
        abort(404)
    if not can_withdraw_request(current_user, application):
        flash(_("この依頼は取り下げできません。"), "error")
        return redirect(url_for(".request_detail", request_id=application.id))
    withdraw_request(application, actor=current_user)
    db.session.commit()
    flash(_("依頼を取り下げました。"), "success")
    return redirect(url_for(".requests"))


@bp.route("/requests/manage")
@role_required(Role.OPERATOR)
def manage_requests():
    """Operator: the 派遣依頼 of a fiscal year (?fiscal_year=, default the open one; ?state=),
    pending first, with each body's count against the quota."""
    _require_request_program()
    calls = queries.request_calls(g.tenant)
    year = request.args.get("fiscal_year", type=YEAR_ARG)
    call = next((c for c in calls if c.fiscal_year == year), None) if year else (queries.open_request_call(g.tenant)
                                                                                   or (calls[0] if calls else None))
    state = request.args.get("state", "")
    state = ApplicationState(state) if state in {s.value for s in queries.LISTED} else None
    page = paginate(queries.call_requests_stmt(g.tenant, call, state=state), request.args.get("page", 1, type=PAGE_ARG)) if call else None
    return render_template("applications/requests_manage.html", calls=calls, call=call, page=page, state=state,
                           states=queries.LISTED, labels=REQUEST_LABELS,
                           counts=queries.quota_counts(g.tenant, call) if call else {})


def request_tasks(user, tenant) -> list[Task]:
    """Home tasks of continuous / on-demand tenants: operator — pending requests; body — file a request."""
    if not tenant.takes_requests or (call := queries.open_request_call(tenant)) is None:
        return []
    if user.role == Role.OPERATOR:
        return [Task(_("承認待ちの派遣依頼"), queries.pending_count(tenant, call), "applications.manage_requests", {})]
    if user.role == Role.MUNICIPAL and applicant_body_of(user) is not None:
        return [Task(_("派遣の依頼（%(fy)s）", fy=call.title), 1, "applications.requests", {})]
    return []


TASK_PROVIDERS.append(request_tasks)
