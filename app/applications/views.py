"""Views of the applications domain (routes under /t/<tenant_slug>/): municipalities apply (申込),
the program office lists the applications of a call and returns them for revision (差戻し)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.applications import queries
from app.applications.forms import ReturnForm, application_form_class
from app.applications.models import Application
from app.applications.permissions import (
    can_edit_application, can_return_application, can_view_application,
    can_withdraw_application, is_own_application, municipality_of,
)
from app.applications.services import (
    TEXT_FIELDS, ApplicationError, create_application, menu_items_by_ids, return_application,
    submit_application, update_application, withdraw_application,
)
from app.applications.states import ApplicationState
from app.auth.models import Role
from app.auth.permissions import role_required
from app.calls.models import Call
from app.calls.queries import current_call
from app.calls.states import CallPhase
from app.core.audit import history_for
from app.core.conflicts import submitted_version
from app.core.pagination import paginate
from app.core.web import PAGE_ARG, get_or_404, get_visible_or_404
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task

bp = Blueprint("applications", __name__, url_prefix="/t/<tenant_slug>")


def _own_municipality():
    org = municipality_of(current_user)
    if org is None:
        abort(404)
    return org


def _load(application_id: int) -> Application:
    return get_visible_or_404(Application, application_id, can_view_application)


def _menu_options(call: Call) -> list[tuple[str, str]]:
    return [(str(item.id), f"No.{item.number} {item.title}（{item.provider.name}）")
            for item in queries.published_menu_items(g.tenant, call)]


def _form(call: Call, application: Application | None = None):
    form_class = application_form_class(call.max_choices)
    form = form_class(obj=application) if application is not None and request.method == "GET" else form_class()
    form.set_menu(_menu_options(call))
    if application is not None and request.method == "GET":
        for choice in application.choices:
            if choice.rank <= call.max_choices:
                form[f"choice_{choice.rank}"].data = str(choice.menu_item_id)
    return form


def _profile(call: Call, municipality_id: int) -> dict:
    """Support history (fiscal years) and the priority flag shown next to an application."""
    history, priority = queries.priority_flags(g.tenant, call, {municipality_id})
    return {"years": history[municipality_id], "is_priority": municipality_id in priority}


def _render_form(form, call: Call, municipality, application=None, status: int = 200):
    return render_template("applications/form.html", form=form, call=call, municipality=municipality,
                           application=application, profile=_profile(call, municipality.id)), status


def _text_fields(form) -> dict:
    return {key: form[key].data or "" for key in TEXT_FIELDS}


@bp.route("/applications")
@role_required(Role.MUNICIPAL)
def index():
    """The own municipality's applications across fiscal years, with their state."""
    org = _own_municipality()
    call = queries.open_call(g.tenant)
    return render_template("applications/index.html", municipality=org, call=call,
                           applications=queries.applications_of_municipality(g.tenant, org.id))


def _apply_blocker(call: Call | None, org) -> str | None:
    if call is None:
        return _("現在、申込を受け付けている募集はありません。支援メニューの公開と申込受付の開始をお待ちください。")
    limit = call.max_applications_per_municipality
    if queries.active_application_count(g.tenant, call, org.id) >= limit:
        return _("この募集への申込は1市町村につき%(n)d件までです。既存の申込を確認してください。", n=limit)
    return None


@bp.route("/applications/new", methods=["GET", "POST"])
@role_required(Role.MUNICIPAL)
def new():
    """Apply to the open call with ranked choices; saving creates a draft (下書き)."""
    org = _own_municipality()
    call = queries.open_call(g.tenant)
    blocker = _apply_blocker(call, org)
    if blocker:
        return render_template("applications/closed.html", message=blocker), (400 if request.method == "POST" else 200)
    form = _form(call)
    if not form.validate_on_submit():
        return _render_form(form, call, org, status=400 if form.is_submitted() else 200)
    try:
        application = create_application(call, org, actor=current_user, choices=menu_items_by_ids(call, form.chosen_ids()),
                                          **_text_fields(form))
    except ApplicationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_form(form, call, org, status=400)
    db.session.commit()
    flash(_("申込を下書きとして保存しました。内容を確認して「提出する」を押してください。"), "success")
    return redirect(url_for(".detail", application_id=application.id))


def _render_detail(application: Application, status: int = 200, return_form=None):
    call = application.call
    user = current_user
    return render_template(
        "applications/detail.html", application=application, call=call, profile=_profile(call, application.municipality_id),
        history=history_for("application", application.id), is_owner=is_own_application(user, application),
        can_edit=can_edit_application(user, application, call), can_withdraw=can_withdraw_application(user, application, call),
        can_return=can_return_application(user, application, call), return_form=return_form or ReturnForm(),
        ApplicationState=ApplicationState,
    ), status


@bp.route("/applications/<int:application_id>")
@role_required(Role.MUNICIPAL, Role.OPERATOR)
def detail(application_id: int):
    """One application: choices, issue, contacts, return reason, support history and its history."""
    return _render_detail(_load(application_id))


@bp.route("/applications/<int:application_id>/edit", methods=["GET", "POST"])
@role_required(Role.MUNICIPAL)
def edit(application_id: int):
    """Edit a draft or returned application while the call takes applications."""
    application = _load(application_id)
    if not is_own_application(current_user, application):
        abort(404)
    call = application.call
    if not can_edit_application(current_user, application, call):
        flash(_("この申込は現在編集できません。"), "error")
        return redirect(url_for(".detail", application_id=application.id))
    form = _form(call, application)
    if not form.validate_on_submit():
        return _render_form(form, call, application.municipality, application, status=400 if form.is_submitted() else 200)
    try:
        update_application(application, actor=current_user, choices=menu_items_by_ids(call, form.chosen_ids()),
                           version_id=submitted_version(form.version_id.data), **_text_fields(form))
    except ApplicationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_form(form, call, application.municipality, application, status=400)
    db.session.commit()
    flash(_("申込を保存しました。"), "success")
    return redirect(url_for(".detail", application_id=application.id))


def _owner_action(application_id: int, action, message: str):
    application = _load(application_id)
    if not is_own_application(current_user, application):
        abort(404)
    try:
        action(application, actor=current_user)
    except ApplicationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_detail(application, status=400)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for(".detail", application_id=application.id))


@bp.route("/applications/<int:application_id>/submit", methods=["POST"])
@role_required(Role.MUNICIPAL)
def submit(application_id: int):
    """Submit a draft or returned application (提出)."""
    return _owner_action(application_id, submit_application, _("申込を提出しました。"))


@bp.route("/applications/<int:application_id>/withdraw", methods=["POST"])
@role_required(Role.MUNICIPAL)
def withdraw(application_id: int):
    """Withdraw an application (取下げ) while the call takes applications."""
    return _owner_action(application_id, withdraw_application, _("申込を取り下げました。"))


@bp.route("/applications/<int:application_id>/return", methods=["POST"])
@role_required(Role.OPERATOR)
def return_(application_id: int):
    """Operator: return a submitted application for revision (差戻し) with a reason."""
    application = _load(application_id)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _render_detail(application, status=400, return_form=form)
    try:
        return_application(application, actor=current_user, reason=form.reason.data)
    except ApplicationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_detail(application, status=400, return_form=form)
    db.session.commit()
    flash(_("申込を差し戻しました。"), "success")
    return redirect(url_for(".call_applications", call_id=application.call_id))


def _state_filter() -> ApplicationState | None:
    value = request.args.get("state", "")
    if not value:
        return None
    if value not in {s.value for s in queries.LISTED}:
        abort(400)
    return ApplicationState(value)


@bp.route("/calls/<int:call_id>/applications")
@role_required(Role.OPERATOR)
def call_applications(call_id: int):
    """Operator: the non-draft applications of a call with support history and priority; filters
    ?state= and ?priority=1; counts at the top."""
    call = get_or_404(Call, call_id, Call.tenant_id == g.tenant.id)
    state, priority_only = _state_filter(), request.args.get("priority") == "1"
    ids = queries.municipality_ids_of_call(g.tenant, call)
    history, priority = queries.priority_flags(g.tenant, call, ids)
    stmt = queries.call_applications_stmt(g.tenant, call, state=state, municipality_ids=priority if priority_only else None)
    page = paginate(stmt, request.args.get("page", 1, type=PAGE_ARG))
    return render_template("applications/call_applications.html", call=call, page=page, history=history,
                           priority=priority, counts=queries.call_counts(g.tenant, call), state=state,
                           priority_only=priority_only, states=queries.LISTED)


def application_tasks(user, tenant) -> list[Task]:
    """Home tasks: municipal — apply to the open call, fix returned applications;
    operator — submitted applications while the call takes applications."""
    if user.role == Role.MUNICIPAL and (org := municipality_of(user)) is not None:
        call = queries.open_call(tenant)
        tasks = []
        if call is not None and queries.active_application_count(tenant, call, org.id) == 0:
            tasks.append(Task(_("申込を受け付けています（%(fy)s）", fy=call.title), 1, "applications.new", {}))
        returned = queries.count_in_state(tenant, ApplicationState.RETURNED, municipality_id=org.id)
        return tasks + [Task(_("差し戻された申込の修正・再提出"), returned, "applications.index", {})]
    if user.role == Role.OPERATOR and (call := current_call(tenant, CallPhase.APPLICATIONS)) is not None:
        submitted = queries.count_in_state(tenant, ApplicationState.SUBMITTED, call=call)
        return [Task(_("提出された申込の確認"), submitted, "applications.call_applications", {"call_id": call.id})]
    return []


TASK_PROVIDERS.append(application_tasks)


from app.applications import request_views  # noqa: F401  (派遣依頼 routes on this blueprint)
