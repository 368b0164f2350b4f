"""Views of the needs survey (DX課題把握アンケート, routes under /t/<tenant_slug>/needs): the
operator opens rounds, sees who has not answered and reminds; municipal staff answer and edit
their own answer while the round is open; every member sees the de-identified summary."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.calls.services import calendar_windows
from app.calls.states import CallPhase
from app.core.clock import today_jst
from app.core.wareki import fiscal_year_of
from app.core.web import YEAR_ARG, get_or_404
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task
from app.needs import queries, services
from app.needs.forms import RoundForm, needs_form_class
from app.needs.models import NeedsSurveyRound
from app.needs.template import NeedsTemplateError, has_needs_survey, load_needs_template, templates_of
from app.tenancy.models import Organisation

bp = Blueprint("needs", __name__, url_prefix="/t/<tenant_slug>/needs")
MEMBERS = (Role.OPERATOR, Role.PROVIDER, Role.REVIEWER, Role.MUNICIPAL)


def _template():
    try:
        return load_needs_template(g.tenant)
    except NeedsTemplateError:
        abort(404)  # the tenant runs no needs survey


def _round_form() -> RoundForm:
    form = RoundForm()
    if not form.is_submitted():
        year = fiscal_year_of(today_jst()) + 1  # the survey informs next year's menu (Jan–Mar, product.md §4)
        window = calendar_windows(g.tenant, year).get(CallPhase.NEEDS_SURVEY)
        form.fiscal_year.data = year
        form.opens_on.data, form.closes_on.data = window if window else (today_jst(), today_jst())
    return form


@bp.route("", methods=["GET", "POST"])
@role_required(*MEMBERS)
def index():
    """Operator: the rounds and a form to open (or re-date) one; others go to their own page."""
    _template()
    if current_user.role == Role.MUNICIPAL:
        return redirect(url_for("needs.answer"))
    if current_user.role != Role.OPERATOR:
        return redirect(url_for("needs.summary"))
    form = _round_form()
    if form.validate_on_submit():
        try:
            round_ = services.save_needs_round(g.tenant, fiscal_year=form.fiscal_year.data, opens_on=form.opens_on.data,
                                               closes_on=form.closes_on.data, actor=current_user)
        except services.NeedsSurveyError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("DX課題把握アンケートの回答期間を保存しました。"), "success")
            return redirect(url_for("needs.round_detail", round_id=round_.id))
    status = 400 if form.is_submitted() else 200
    return render_template("needs/index.html", rounds=queries.rounds(g.tenant), form=form, today=today_jst()), status


@bp.route("/rounds/<int:round_id>")
@role_required(Role.OPERATOR)
def round_detail(round_id: int):
    """Operator: who has answered and who has not, and the reminder history of a round."""
    round_ = get_or_404(NeedsSurveyRound, round_id, NeedsSurveyRound.tenant_id == g.tenant.id)
    responses, missing = queries.answer_status(g.tenant, round_)
    return render_template("needs/round.html", round=round_, responses=responses, missing=missing,
                           template=_template(), versions=templates_of(g.tenant, responses), today=today_jst())


@bp.route("/rounds/<int:round_id>/remind", methods=["POST"])
@role_required(Role.OPERATOR)
def remind(round_id: int):
    """Operator: record a reminder to every municipality that has not answered (e-mail comes with
    the notifications issue)."""
    round_ = get_or_404(NeedsSurveyRound, round_id, NeedsSurveyRound.tenant_id == g.tenant.id)
    _responses, missing = queries.answer_status(g.tenant, round_)
    if missing:
        services.remind_needs_non_respondents(round_, actor=current_user, municipality_ids=[m.id for m in missing])
        db.session.commit()
        flash(_("未回答の%(n)d団体への督促を記録しました。", n=len(missing)), "success")
    else:
        flash(_("未回答の市町村はありません。"), "info")
    return redirect(url_for("needs.round_detail", round_id=round_.id))


@bp.route("/answer", methods=["GET", "POST"])
@role_required(Role.MUNICIPAL)
def answer():
    """Municipal staff answer their municipality's needs survey (the newest round, or
    ?fiscal_year=), and edit the answer while the round is open; read-only afterwards."""
    template = _template()
    round_ = queries.round_of_year(g.tenant, request.args.get("fiscal_year", type=YEAR_ARG))
    municipality = get_or_404(Organisation, current_user.organisation_id, Organisation.tenant_id == g.tenant.id)
    response = services.response_for(round_, municipality) if round_ else None
    is_open = bool(round_ and round_.is_open(today_jst()))
    # The saved answer pre-fills the form on GET only: on POST an emptied comment must stay empty.
    form = needs_form_class(g.tenant, template)(data=_form_data(response) if request.method == "GET" else None)
    # A saved answer is shown with the levels of the version it was given against.
    answered = templates_of(g.tenant, [response]).get(response.questionnaire_version) if response else None
    page = {"round": round_, "response": response, "is_open": is_open, "template": template, "form": form,
            "answered_template": answered or template}
    if request.method == "POST":
        if not is_open:
            flash(_("回答期間外です。回答・修正は受付期間中にできます。"), "error")
            return redirect(url_for("needs.answer"))
        if form.validate_on_submit():
            try:
                services.record_needs_response(round_, municipality, actor=current_user, categories=form.categories.data,
                                               maturity=form.maturity.data, comments=form.comments())
            except services.NeedsSurveyError as exc:
                flash(str(exc), "error")
            else:
                db.session.commit()
                flash(_("回答を保存しました。締切日までは修正できます。"), "success")
                return redirect(url_for("needs.answer"))
        return render_template("needs/answer.html", **page), 400
    return render_template("needs/answer.html", **page)


def _form_data(response) -> dict | None:
    if response is None:
        return None
    data = {"categories": response.categories, "maturity": response.maturity}
    codes = [c["code"] for c in g.tenant.categories or []]
    data.update({f"comment_{codes.index(code)}": text for code, text in response.comments.items() if code in codes})
    return data


@bp.route("/summary")
@role_required(*MEMBERS)
def summary():
    """The de-identified summary of a round (counts by category, maturity and region; no names,
    contacts or comments; cells under 3 municipalities suppressed)."""
    template = _template()
    all_rounds = queries.rounds(g.tenant)
    round_ = queries.round_of_year(g.tenant, request.args.get("fiscal_year", type=YEAR_ARG))
    data = queries.needs_summary(g.tenant, round_) if round_ else None
    return render_template("needs/summary.html", rounds=all_rounds, round=round_, summary=data, template=template)


def needs_tasks(user, tenant) -> list[Task]:
    """Home-page task of municipal staff: an open needs survey their municipality has not answered."""
    if user.role != Role.MUNICIPAL or not has_needs_survey(tenant):  # no survey: its pages answer 404
        return []
    round_ = queries.round_of_year(tenant, None)
    if round_ is None or not round_.is_open(today_jst()):
        return []
    municipality = db.session.get(Organisation, user.organisation_id)
    missing = municipality is not None and services.response_for(round_, municipality) is None
    return [Task(_("回答待ちのDX課題把握アンケート"), int(missing), "needs.answer", {})]


TASK_PROVIDERS.append(needs_tasks)
