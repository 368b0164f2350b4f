"""Views of the selection domain (routes under /t/<tenant_slug>/): the operator proposes, adjusts
and confirms the selection (選定・決定) of a call."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.applications.queries import published_menu_items
from app.core.pagination import paginate
from app.auth.models import Role
from app.auth.permissions import role_required
from app.auth.sessions import recent_auth_required
from app.calls.models import Call
from app.calls.queries import current_call
from app.calls.states import CallPhase
from app.core.web import ID_ARG, PAGE_ARG, get_or_404
from app.coverage.what_if import coverage_what_if
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task
from app.selection import queries
from app.selection.forms import AdjustForm
from app.selection.models import Allocation
from app.selection.permissions import can_change_selection, can_manage_selection, is_selection_available
from app.selection.services import (
    SelectionConflict, SelectionError, adjust_allocation, confirm_selection, propose_selection,
)
from app.selection.states import SelectionState

bp = Blueprint("selection", __name__, url_prefix="/t/<tenant_slug>")


def _load_call(call_id: int) -> Call:
    call = get_or_404(Call, call_id, Call.tenant_id == g.tenant.id)
    if not can_manage_selection(current_user):
        abort(404)
    return call


def _row_form(allocation: Allocation, failed: tuple[int, AdjustForm] | None) -> AdjustForm:
    if failed and failed[0] == allocation.id:
        return failed[1]
    form = AdjustForm(formdata=None, prefix=f"a{allocation.id}", is_pinned=allocation.is_pinned,
                      is_excluded=allocation.is_excluded, decision=str(allocation.menu_item_id or ""))
    form.set_options(allocation.application)
    return form


def _render(call: Call, status: int = 200, failed: tuple[int, AdjustForm] | None = None):
    """The selection page; `failed` keeps what the operator typed in the row that was refused."""
    selection = queries.selection_of(g.tenant, call) if is_selection_available(call) else None
    page = paginate(queries.allocations_stmt(g.tenant, selection), request.args.get("page", 1, type=PAGE_ARG)) if selection else None
    forms = {a.id: _row_form(a, failed) for a in page.items} if page else {}
    editable = can_change_selection(call, selection)
    what_if = None
    if selection is not None and selection.proposed_at and editable:
        what_if = coverage_what_if(g.tenant, call.fiscal_year, queries.selected_municipality_ids(g.tenant, selection))
    return render_template(
        "selection/detail.html", call=call, selection=selection, page=page, forms=forms, what_if=what_if,
        available=is_selection_available(call), editable=editable,
        totals=queries.selection_totals(g.tenant, call, selection), SelectionState=SelectionState,
    ), status


def _refused(call: Call, exc: Exception, failed=None):
    db.session.rollback()
    flash(str(exc), "error")
    return _render(call, status=409 if isinstance(exc, SelectionConflict) else 400, failed=failed)


def _seen_version() -> int | None:
    """The version of the row the operator saw (`?version=` on the form's action), if given."""
    return request.args.get("version", type=ID_ARG)


@bp.route("/calls/<int:call_id>/selection")
@role_required(Role.OPERATOR)
def detail(call_id: int):
    """Totals and the allocation table of a call's selection (read-only once confirmed)."""
    return _render(_load_call(call_id))


@bp.route("/calls/<int:call_id>/selection/propose", methods=["POST"])
@role_required(Role.OPERATOR)
def propose(call_id: int):
    """Build or rebuild the rule-based proposal (pinned decisions are kept)."""
    call = _load_call(call_id)
    try:
        selection = propose_selection(call, actor=current_user)
    except SelectionError as exc:
        return _refused(call, exc)
    db.session.commit()
    selected = sum(1 for a in selection.allocations if a.menu_item_id)
    flash(_("選定案を作成しました（選定 %(n)d件 ／ 申込 %(m)d件）。", n=selected, m=len(selection.allocations)), "success")
    return redirect(url_for(".detail", call_id=call.id))


@bp.route("/allocations/<int:allocation_id>/adjust", methods=["POST"])
@role_required(Role.OPERATOR)
def adjust(allocation_id: int):
    """Change one decision: one of the application's choices or 非選定, pin, exclude."""
    allocation = get_or_404(Allocation, allocation_id, Allocation.tenant_id == g.tenant.id)
    call = _load_call(allocation.application.call_id)
    form = AdjustForm(prefix=f"a{allocation.id}")
    form.set_options(allocation.application)
    if not form.validate_on_submit():
        errors = " ".join(str(e) for errs in form.errors.values() for e in errs)
        return _refused(call, SelectionError(errors or _("入力内容を確認してください。")), failed=(allocation.id, form))
    items = {i.id: i for i in published_menu_items(g.tenant, call)}
    item = items.get(form.chosen_item_id()) if form.chosen_item_id() is not None else None
    try:
        adjust_allocation(allocation, actor=current_user, menu_item=item, is_pinned=form.is_pinned.data,
                          is_excluded=form.is_excluded.data, expected_version=_seen_version())
    except SelectionError as exc:
        return _refused(call, exc, failed=(allocation.id, form))
    db.session.commit()
    flash(_("%(name)s の決定を変更しました。", name=allocation.application.municipality.name), "success")
    return redirect(url_for(".detail", call_id=call.id, page=request.args.get("page", 1, type=PAGE_ARG)))


@bp.route("/calls/<int:call_id>/selection/confirm", methods=["POST"])
@role_required(Role.OPERATOR)
@recent_auth_required
def confirm(call_id: int):
    """Confirm the selection: decisions for every application and one engagement per selected one."""
    call = _load_call(call_id)
    selection = queries.selection_of(g.tenant, call)
    if selection is None:
        return _refused(call, SelectionError(_("選定案を作成してから確定してください。")))
    try:
        engagements = confirm_selection(selection, actor=current_user, expected_version=_seen_version())
    except SelectionError as exc:
        return _refused(call, exc)
    db.session.commit()
    flash(_("選定を確定しました。支援案件 %(n)d件を作成しました。", n=len(engagements)), "success")
    return redirect(url_for(".detail", call_id=call.id))


def selection_tasks(user, tenant) -> list[Task]:
    """Home task for operators: a selection to propose or confirm while the call is in 選定・決定."""
    if user.role != Role.OPERATOR:
        return []
    call = current_call(tenant, CallPhase.SELECTION)
    if call is None:
        return []
    selection = queries.selection_of(tenant, call)
    if selection is not None and selection.state == SelectionState.CONFIRMED:
        return []
    return [Task(_("選定案の作成・確定（%(title)s）", title=call.title), 1, "selection.detail", {"call_id": call.id})]


TASK_PROVIDERS.append(selection_tasks)
