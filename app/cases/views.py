"""Views of the cases domain (routes under /t/<tenant_slug>/): the public case collection (事例集),
the operator's drafting and management, and the municipality's approval."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.auth.models import Role
from app.auth.permissions import role_required
from app.cases import queries
from app.cases.forms import CaseForm, CaseTransitionForm
from app.cases.models import Case
from app.cases.permissions import can_transition_case, can_view_case, is_case_municipality, is_case_operator
from app.cases.services import CaseError, create_case_draft, transition_case, update_case
from app.cases.states import DX_STEPS, CaseState
from app.core.audit import history_for
from app.core.web import get_or_404, get_visible_or_404
from app.engagements.models import Engagement
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task

bp = Blueprint("cases", __name__, url_prefix="/t/<tenant_slug>")


def _load(case_id: int) -> Case:
    return get_visible_or_404(Case, case_id, can_view_case)


def _render_detail(case: Case, status: int = 200, form: CaseTransitionForm | None = None):
    internal = is_case_operator(current_user, case) or is_case_municipality(current_user, case)
    return render_template(
        "cases/detail.html", case=case, dx_steps=DX_STEPS, population_label=queries.population_label,
        timeline=history_for("case", case.id) if internal else [], states=CaseState, form=form or CaseTransitionForm(),
        is_operator=is_case_operator(current_user, case), is_municipality=is_case_municipality(current_user, case),
    ), status


@bp.route("/cases")
def index():
    """The public case collection: published cases, filtered by category, DX step and fiscal year."""
    codes = {c["code"] for c in g.tenant.categories or []}
    category = request.args.get("category", "")
    dx_step = request.args.get("dx_step", type=int)
    filters = {
        "category": category if category in codes else None,
        "dx_step": dx_step if dx_step in DX_STEPS else None,
        "fiscal_year": request.args.get("fiscal_year", type=int),
    }
    page = queries.published_page(g.tenant, page=request.args.get("page", 1, type=int), **filters)
    return render_template("cases/index.html", page=page, filters=filters, dx_steps=DX_STEPS,
                           years=queries.published_fiscal_years(g.tenant))


@bp.route("/cases/<int:case_id>")
def detail(case_id: int):
    """One case page in the 003 format; unpublished ones only for the operator and the municipality."""
    return _render_detail(_load(case_id))


@bp.route("/cases/manage")
@role_required(Role.OPERATOR, Role.MUNICIPAL)
def manage():
    """Operator: every case with its state, and finished engagements without a case. Municipal
    staff: their municipality's cases (to approve)."""
    return _render_manage()


def _render_manage(status: int = 200):
    state = request.args.get("state", "")
    is_operator = current_user.role == Role.OPERATOR
    page = queries.managed_page(
        g.tenant, municipality_id=None if is_operator else current_user.organisation_id,
        state=CaseState(state) if state in {s.value for s in CaseState} else None,
        page=request.args.get("page", 1, type=int))
    pending = queries.engagements_without_case(g.tenant, request.args.get("pending_page", 1, type=int)) if is_operator else None
    return render_template("cases/manage.html", page=page, pending=pending, states=list(CaseState), state=state), status


@bp.route("/engagements/<int:engagement_id>/case", methods=["POST"])
@role_required(Role.OPERATOR)
def create_draft(engagement_id: int):
    """Draft a case from a completed or closed engagement, then open the editor."""
    engagement = get_or_404(Engagement, engagement_id, Engagement.tenant_id == g.tenant.id)
    try:
        case = create_case_draft(engagement, actor=current_user)
    except CaseError as exc:
        flash(str(exc), "error")
        return _render_manage(400)
    db.session.commit()
    flash(_("事例の下書きを作成しました。内容を確認・編集してください。"), "success")
    return redirect(url_for("cases.edit", case_id=case.id))


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def edit(case_id: int):
    """The operator edits a draft case."""
    case = _load(case_id)
    if case.state != CaseState.DRAFT:
        flash(_("下書きの事例のみ編集できます。公開・承認済みの事例は下書きに戻してから編集してください。"), "error")
        return redirect(url_for("cases.detail", case_id=case.id))
    form = CaseForm() if request.method == "POST" else CaseForm(data=_form_data(case))
    form.categories.choices = [SelectChoice(c["code"], c["label"]) for c in g.tenant.categories or []]
    if form.validate_on_submit():
        try:
            update_case(case, actor=current_user, **form.values())
        except CaseError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("事例を保存しました。"), "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    status = 400 if form.is_submitted() else 200
    return render_template("cases/edit.html", case=case, form=form), status


def _form_data(case: Case) -> dict:
    return {
        "title": case.title, "key_points": "\n".join(case.key_points or []), "overview": "\n".join(case.overview or []),
        "outcomes": case.outcomes, "dx_step": "" if case.dx_step is None else str(case.dx_step),
        "categories": case.categories or [], "population": case.population, "population_basis": case.population_basis,
        "related_url": case.related_url, "similar_organisations": case.similar_organisations,
        "version_id": case.version_id,
    }


@bp.route("/cases/<int:case_id>/transition", methods=["POST"])
@role_required(Role.OPERATOR, Role.MUNICIPAL)
def transition(case_id: int):
    """Send for approval, approve or return (municipality), publish or unpublish (operator)."""
    case = _load(case_id)
    form = CaseTransitionForm()
    if not form.validate_on_submit():
        flash(_("操作を選択してください。"), "error")
        return _render_detail(case, 400, form)
    to_state = CaseState(form.to.data)
    if not can_transition_case(current_user, case, to_state):
        abort(404)
    try:
        transition_case(case, to_state, actor=current_user, note=form.note.data or "")
    except CaseError as exc:
        flash(str(exc), "error")
        return _render_detail(case, 400, form)
    db.session.commit()
    flash(_("事例の状態を「%(state)s」にしました。", state=to_state.label), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


def case_tasks(user, tenant) -> list[Task]:
    """Home-page tasks: cases to approve (municipal), approved cases to publish (operator)."""
    if user.role == Role.MUNICIPAL:
        count = queries.count_cases(tenant, CaseState.AWAITING_APPROVAL, user.organisation_id)
        return [Task(_("承認待ちの事例"), count, "cases.manage", {"state": "awaiting_approval"})]
    if user.role == Role.OPERATOR:
        count = queries.count_cases(tenant, CaseState.APPROVED)
        return [Task(_("公開待ちの事例（市町村承認済）"), count, "cases.manage", {"state": "approved"})]
    return []


TASK_PROVIDERS.append(case_tasks)
