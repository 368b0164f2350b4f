"""Operator pages for calls (募集): list, create, detail with phase windows, edit, move the phase."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.calls import queries, services
from app.calls.forms import AdvanceForm, CallCreateForm, CallEditWithWindowsForm
from app.calls.models import Call
from app.calls.states import WINDOW_PHASES, CallPhase
from app.core.audit import history_for
from app.core.web import get_or_404
from app.core.clock import today_jst
from app.core.wareki import fiscal_year_label, fiscal_year_of
from app.extensions import db

bp = Blueprint("calls", __name__, url_prefix="/t/<tenant_slug>")


@bp.route("/calls")
@role_required(Role.OPERATOR)
def index():
    """Every call of the tenant, newest fiscal year first, with the create form."""
    form = CallCreateForm(data={"fiscal_year": fiscal_year_of(today_jst()) + 1})
    return render_template("calls/index.html", calls=queries.calls_of(g.tenant), form=form)


@bp.route("/calls/new", methods=["POST"])
@role_required(Role.OPERATOR)
def new():
    """Create a fiscal year's call from the tenant rules and calendar."""
    form = CallCreateForm()
    if form.validate_on_submit():
        try:
            call = services.create_call(g.tenant, fiscal_year=form.fiscal_year.data,
                                        budget_thousand_yen=form.budget_thousand_yen.data, actor=current_user)
        except services.CallError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("%(fy)sの募集を作成しました。", fy=fiscal_year_label(call.fiscal_year)), "success")
            return redirect(url_for("calls.detail", call_id=call.id))
    return render_template("calls/index.html", calls=queries.calls_of(g.tenant), form=form), 400


@bp.route("/calls/<int:call_id>")
@role_required(Role.OPERATOR)
def detail(call_id: int):
    """A call's phase, planned windows, rules, history and the links to each phase's work."""
    call = get_or_404(Call, call_id, Call.tenant_id == g.tenant.id)
    return render_template("calls/detail.html", call=call, form=AdvanceForm(), next_phase=services.next_phase(call),
                           windows=[(p, call.window(p)) for p in WINDOW_PHASES], changes=history_for("call", call.id), phase_enum=CallPhase)


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def edit(call_id: int):
    """Edit title, budget, rules and phase windows."""
    call = get_or_404(Call, call_id, Call.tenant_id == g.tenant.id)
    form = CallEditWithWindowsForm(obj=call, data=_window_data(call) if not _submitted() else None)
    if form.validate_on_submit():
        try:
            services.update_call(call, actor=current_user, title=form.title.data,
                                 budget_thousand_yen=form.budget_thousand_yen.data,
                                 rules={f: form[f].data for f in services.RULE_FIELDS}, windows=_windows_from(form))
        except services.CallError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("募集の設定を保存しました。"), "success")
            return redirect(url_for("calls.detail", call_id=call.id))
    status = 400 if _submitted() else 200
    return render_template("calls/edit.html", call=call, form=form, phases=WINDOW_PHASES), status


@bp.route("/calls/<int:call_id>/advance", methods=["POST"])
@role_required(Role.OPERATOR)
def advance(call_id: int):
    """Move the call to its next phase (or skip the needs survey with ?to=proposals)."""
    call = get_or_404(Call, call_id, Call.tenant_id == g.tenant.id)
    form = AdvanceForm()
    target = services.next_phase(call)
    if form.validate_on_submit() and target is not None:
        try:
            services.transition_call(call, _requested_phase(target), actor=current_user, note=form.note.data or "")
        except services.CallError as exc:
            flash(str(exc), "error")
            return redirect(url_for("calls.detail", call_id=call.id))
        db.session.commit()
        flash(_("フェーズを「%(phase)s」に進めました。", phase=call.phase.label), "success")
    return redirect(url_for("calls.detail", call_id=call.id))


def _requested_phase(default: CallPhase) -> CallPhase:
    value = request.form.get("to", "")
    return CallPhase(value) if value in CallPhase._value2member_map_ else default


def _submitted() -> bool:
    return request.method == "POST"


def _window_data(call: Call) -> dict:
    data = {f: getattr(call, f) for f in ("title", "budget_thousand_yen", *services.RULE_FIELDS)}
    for phase in WINDOW_PHASES:
        window = call.window(phase)
        data[phase.value] = {"starts_on": window.starts_on, "ends_on": window.ends_on} if window else {}
    return data


def _windows_from(form) -> dict:
    windows = {}
    for phase in WINDOW_PHASES:
        sub = form[phase.value]
        if sub.starts_on.data and sub.ends_on.data:
            windows[phase] = (sub.starts_on.data, sub.ends_on.data)
    return windows
