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
from app.cases.booklet import booklet_workbook
from app.cases.forms import CaseForm, CaseTransitionForm
from app.cases.models import Case
from app.cases.permissions import can_transition_case, can_view_case, is_case_operator, party_of
from app.cases.publication import public_case, public_cases, solved_by_engagement
from app.cases.services import (CaseError, create_case_draft, personal_data_findings, publication_problems,
                                transition_case, update_case)
from app.cases.states import DX_STEPS, HOLDABLE_FIELDS, TEXT_FIELDS, CaseState, approval_target
from app.core.audit import history_for, record_audit
from app.core.excel import workbook_response
from app.core.wareki import fiscal_year_label
from app.core.web import PAGE_ARG, YEAR_ARG, get_or_404, get_visible_or_404
from app.engagements.models import Engagement
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task
from app.surveys.queries import survey_results

bp = Blueprint("cases", __name__, url_prefix="/t/<tenant_slug>")


def _load(case_id: int) -> Case:
    return get_visible_or_404(Case, case_id, can_view_case)


def _render_detail(case: Case, status: int = 200, form: CaseTransitionForm | None = None):
    operator, party = is_case_operator(current_user, case), party_of(current_user, case)
    internal = operator or party is not None
    solved = solved_by_engagement(g.tenant, [case.engagement_id]).get(case.engagement_id)
    return render_template(
        "cases/detail.html", case=case, pub=public_case(case, g.tenant, solved, include_held=internal),
        dx_steps=DX_STEPS, holdable=HOLDABLE_FIELDS, population_label=queries.population_label,
        timeline=history_for("case", case.id) if internal else [], states=CaseState, form=form or CaseTransitionForm(),
        is_operator=operator, party=party, internal=internal,
        approve_to=approval_target(case.state, party) if party else None,
        findings=personal_data_findings(case) if internal else [], text_fields=TEXT_FIELDS,
        problems=publication_problems(case) if operator and case.state == CaseState.APPROVED else [],
    ), status


def _library_filters() -> queries.LibraryFilters:
    codes = {c["code"] for c in g.tenant.categories or []}
    args = request.args
    dx_step, category = args.get("dx_step", type=int), args.get("category", "")
    return queries.LibraryFilters(
        category=category if category in codes else None, dx_step=dx_step if dx_step in DX_STEPS else None,
        region=args.get("region") or None, area=args.get("area") or None,
        fiscal_year=args.get("fiscal_year", type=YEAR_ARG), menu_item=args.get("menu_item") or None,
        q=args.get("q", "")[:200])


@bp.route("/cases")
def index():
    """The public case library: published cases filtered by category, DX step, region, area,
    fiscal year and menu item, and searched by free text (Japanese, all terms); paginated."""
    filters = _library_filters()
    page = queries.published_page(g.tenant, filters, page=request.args.get("page", 1, type=PAGE_ARG))
    return render_template("cases/index.html", page=page, filters=filters, dx_steps=DX_STEPS,
                           years=queries.published_fiscal_years(g.tenant), menu_items=queries.published_menu_items(g.tenant),
                           regions=g.tenant.rule("region_order", []), areas=g.tenant.rule("area_order", []))


@bp.route("/cases/<int:case_id>")
def detail(case_id: int):
    """One case page in the 003 format (print styles); unpublished ones only for the operator and
    the two parties, who also see held-back fields (marked) and the personal-data warnings."""
    return _render_detail(_load(case_id))


def _booklet_year(*, default_newest: bool = True) -> int:
    years = queries.published_fiscal_years(g.tenant)
    year = request.args.get("fiscal_year", type=YEAR_ARG) or (years[0] if years and default_newest else None)
    if year not in years:
        abort(404)
    return year


def _booklet(year: int):
    cases = public_cases(g.tenant, queries.booklet_cases(g.tenant, year))
    return cases, survey_results(g.tenant, year).total.share


@bp.route("/cases/booklet")
def booklet():
    """The yearly 事例集 of `?fiscal_year=` (default: the newest with published cases) as one
    printable page: cover, contents, one case per page, the survey's 課題解決 share; 404 for a
    year without published cases."""
    year = _booklet_year()
    cases, share = _booklet(year)
    return render_template("cases/booklet.html", year=year, cases=cases, share=share, dx_steps=DX_STEPS,
                           population_label=queries.population_label)


@bp.route("/cases/booklet.xlsx")
def booklet_xlsx():
    """The same booklet as .xlsx (sheets 表紙 and 事例) of `?fiscal_year=` (required: 404 without);
    the export is audited."""
    year = _booklet_year(default_newest=False)
    cases, share = _booklet(year)
    workbook = booklet_workbook(g.tenant, year, cases, share.label)
    record_audit("case.booklet_export", tenant_id=g.tenant.id, actor=current_user if current_user.is_authenticated else None,
                 changes={"fiscal_year": year, "cases": len(cases)})
    db.session.commit()
    return workbook_response(workbook, f"事例集_{fiscal_year_label(year)}.xlsx")


@bp.route("/cases/manage")
@role_required(Role.OPERATOR, Role.MUNICIPAL, Role.PROVIDER)
def manage():
    """Operator: every case with its state, and finished engagements without a case. Municipal and
    provider staff: the cases of their organisation (to approve)."""
    return _render_manage()


def _render_manage(status: int = 200):
    state = request.args.get("state", "")
    is_operator = current_user.role == Role.OPERATOR
    own = {} if is_operator else {
        "municipality_id" if current_user.role == Role.MUNICIPAL else "provider_id": current_user.organisation_id}
    page = queries.managed_page(
        g.tenant, **own,
        state=CaseState(state) if state in {s.value for s in CaseState} else None,
        page=request.args.get("page", 1, type=PAGE_ARG))
    pending = queries.engagements_without_case(g.tenant, request.args.get("pending_page", 1, type=PAGE_ARG)) if is_operator else None
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
    return render_template("cases/edit.html", case=case, form=form, findings=personal_data_findings(case),
                           text_fields=TEXT_FIELDS), status


def _form_data(case: Case) -> dict:
    return {
        "title": case.title, "key_points": "\n".join(case.key_points or []), "overview": "\n".join(case.overview or []),
        "outcomes": case.outcomes, "dx_step": "" if case.dx_step is None else str(case.dx_step),
        "categories": case.categories or [], "population": case.population, "population_basis": case.population_basis,
        "related_url": case.related_url, "similar_organisations": case.similar_organisations,
        "version_id": case.version_id,
    }


@bp.route("/cases/<int:case_id>/transition", methods=["POST"])
@role_required(Role.OPERATOR, Role.MUNICIPAL, Role.PROVIDER)
def transition(case_id: int):
    """Send for approval, withdraw, publish or unpublish (operator); approve with held-back fields
    or return with a comment (the case's municipality and provider, each on its own turn)."""
    case = _load(case_id)
    form = CaseTransitionForm()
    if not form.validate_on_submit():
        flash(_("操作を選択してください。"), "error")
        return _render_detail(case, 400, form)
    to_state = CaseState(form.to.data)
    if not can_transition_case(current_user, case, to_state):
        abort(404)
    try:
        transition_case(case, to_state, actor=current_user, note=form.note.data or "", held_back=form.held_back.data)
    except CaseError as exc:
        flash(str(exc), "error")
        return _render_detail(case, 400, form)
    db.session.commit()
    flash(_("事例の状態を「%(state)s」にしました。", state=to_state.label), "success")
    return redirect(url_for("cases.detail", case_id=case.id))


def case_tasks(user, tenant) -> list[Task]:
    """Home-page tasks: cases awaiting the user's organisation's approval (municipal, provider),
    approved cases to publish (operator)."""
    if user.role in (Role.MUNICIPAL, Role.PROVIDER):
        municipal = user.role == Role.MUNICIPAL
        waiting = (CaseState.AWAITING_APPROVAL, CaseState.AWAITING_MUNICIPALITY if municipal else CaseState.AWAITING_PROVIDER)
        own = {"municipality_id" if municipal else "provider_id": user.organisation_id}
        return [Task(_("承認待ちの事例"), queries.count_cases(tenant, waiting, **own), "cases.manage", {})]
    if user.role == Role.OPERATOR:
        count = queries.count_cases(tenant, (CaseState.APPROVED,))
        return [Task(_("公開待ちの事例（双方承認済）"), count, "cases.manage", {"state": "approved"})]
    return []


TASK_PROVIDERS.append(case_tasks)
