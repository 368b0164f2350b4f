"""Views of the decisions domain (routes under /t/<tenant_slug>/): decision notices (決定通知) for
their recipients and the operator, and the operator's waitlist page (補欠・繰上げ)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.applications.models import Application
from app.auth.models import Role
from app.auth.permissions import role_required
from app.calls.models import Call
from app.calls.queries import current_call
from app.core.web import get_or_404, get_visible_or_404
from app.decisions import queries, services
from app.decisions import waitlist as wl
from app.decisions.forms import PromoteForm
from app.decisions.models import DecisionNotice
from app.decisions.permissions import can_manage_waitlist, can_view_notice, is_notice_recipient
from app.decisions.states import NoticeKind
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task
from app.menus.models import MenuItem
from app.selection.queries import selection_of
from app.selection.states import SelectionState

bp = Blueprint("decisions", __name__, url_prefix="/t/<tenant_slug>")
READERS = (Role.OPERATOR, Role.MUNICIPAL, Role.PROVIDER)


@bp.route("/notices")
@role_required(*READERS)
def notices():
    """Decision notices: the user's organisation's (unread marked), or for operators every issued
    notice with whether its recipient has read it."""
    return render_template("decisions/notices.html", notices=queries.notices_for(current_user, g.tenant),
                           is_operator=current_user.role == Role.OPERATOR)


@bp.route("/notices/<int:notice_id>")
@role_required(*READERS)
def notice(notice_id: int):
    """One notice in a printable layout (決定通知書)."""
    row = get_visible_or_404(DecisionNotice, notice_id, can_view_notice)
    call = get_or_404(Call, row.call_id, Call.tenant_id == g.tenant.id)
    return render_template("decisions/notice.html", notice=row, call=call, NoticeKind=NoticeKind,
                           is_recipient=is_notice_recipient(current_user, row))


@bp.route("/notices/<int:notice_id>/read", methods=["POST"])
@role_required(Role.MUNICIPAL, Role.PROVIDER)
def read(notice_id: int):
    """The recipient confirms receipt of the notice (既読)."""
    row = get_visible_or_404(DecisionNotice, notice_id, is_notice_recipient)
    services.mark_notice_read(row, actor=current_user)
    db.session.commit()
    flash(_("決定通知を確認済みにしました。"), "success")
    return redirect(url_for(".notice", notice_id=row.id))


def _load_call(call_id: int) -> Call:
    call = get_or_404(Call, call_id, Call.tenant_id == g.tenant.id)
    if not can_manage_waitlist(current_user):
        abort(404)
    return call


def _render_waitlist(call: Call, status: int = 200):
    selection = selection_of(g.tenant, call)
    confirmed = selection is not None and selection.state == SelectionState.CONFIRMED
    return render_template(
        "decisions/waitlist.html", call=call, confirmed=confirmed, form=PromoteForm(),
        entries=wl.waitlist(g.tenant, call) if confirmed else [], slots=wl.open_slots(g.tenant, call) if confirmed else [],
        budget_left=wl.budget_left(g.tenant, call), promotable=confirmed and call.phase in services.PROMOTABLE_PHASES,
    ), status


@bp.route("/calls/<int:call_id>/waitlist")
@role_required(Role.OPERATOR)
def waitlist(call_id: int):
    """The waitlist (補欠) of a confirmed selection, free capacity per item (declined engagements
    included) and the proposed next best application for each, with its reason."""
    return _render_waitlist(_load_call(call_id))


@bp.route("/calls/<int:call_id>/waitlist/promote", methods=["POST"])
@role_required(Role.OPERATOR)
def promote(call_id: int):
    """Promote (繰上げ) one waitlisted application to a freed item; capacity and budget rechecked."""
    call = _load_call(call_id)
    form = PromoteForm()
    if not form.validate_on_submit():
        flash(_("繰上げる申込と支援メニューを選んでください。"), "error")
        return _render_waitlist(call, 400)
    application = get_or_404(Application, int(form.application_id.data), Application.tenant_id == g.tenant.id,
                             Application.call_id == call.id)
    item = get_or_404(MenuItem, int(form.menu_item_id.data), MenuItem.tenant_id == g.tenant.id, MenuItem.call_id == call.id)
    try:
        services.promote_application(call, application, item, actor=current_user)
    except services.DecisionError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_waitlist(call, 400)
    db.session.commit()
    flash(_("%(m)s を繰上げ選定しました（%(i)s）。決定通知を発行しました。", m=application.municipality.name, i=item.title), "success")
    return redirect(url_for(".waitlist", call_id=call.id))


def decision_tasks(user, tenant) -> list[Task]:
    """Home tasks: unread decision notices (recipients); free capacity with a waitlisted candidate (operator)."""
    if user.role in (Role.MUNICIPAL, Role.PROVIDER):
        return [Task(_("未読の決定通知"), queries.count_unread(user, tenant), "decisions.notices", {})]
    if user.role != Role.OPERATOR:
        return []
    tasks = []
    for phase in services.PROMOTABLE_PHASES:
        call = current_call(tenant, phase)
        selection = selection_of(tenant, call) if call else None
        if selection is not None and selection.state == SelectionState.CONFIRMED:
            slots = [s for s in wl.open_slots(tenant, call) if s.proposals and s.declined]
            tasks.append(Task(_("辞退による空き枠の繰上げ（%(title)s）", title=call.title), len(slots),
                              "decisions.waitlist", {"call_id": call.id}))
    return tasks


TASK_PROVIDERS.append(decision_tasks)
