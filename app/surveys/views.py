"""Views of the surveys domain (routes under /t/<tenant_slug>/): the municipality answers the
post-engagement survey (事後アンケート); the operator reads the yearly results."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.core.web import get_visible_or_404
from app.engagements.models import Engagement
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task
from app.surveys import queries
from app.surveys.forms import survey_form_class
from app.surveys.permissions import can_answer_survey, can_view_survey
from app.surveys.services import SurveyError, submit_survey
from app.surveys.template import load_survey_template

bp = Blueprint("surveys", __name__, url_prefix="/t/<tenant_slug>")


@bp.route("/engagements/<int:engagement_id>/survey", methods=["GET", "POST"])
@role_required(Role.MUNICIPAL, Role.OPERATOR)
def answer(engagement_id: int):
    """The municipality answers the survey once the engagement is completed; afterwards (and for
    the operator) the answers are shown read-only."""
    engagement = get_visible_or_404(Engagement, engagement_id, can_view_survey)
    template = load_survey_template(g.tenant)
    response = queries.response_of(engagement)
    if response is not None or current_user.role == Role.OPERATOR:
        if request.method == "POST":
            flash(_("このアンケートは回答済みです。"), "error")
            return redirect(url_for("surveys.answer", engagement_id=engagement.id))
        return render_template("surveys/answer.html", engagement=engagement, template=template, response=response, form=None)
    if not can_answer_survey(current_user, engagement):
        flash(_("支援完了後にアンケートに回答できます。"), "error")
        return redirect(url_for("engagements.detail", engagement_id=engagement.id))
    form = survey_form_class(template)()
    if form.validate_on_submit():
        try:
            submit_survey(engagement, actor=current_user, answers=form.answers(), template=template)
        except SurveyError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("アンケートにご回答いただきありがとうございました。"), "success")
            return redirect(url_for("surveys.answer", engagement_id=engagement.id))
    status = 400 if form.is_submitted() else 200
    return render_template("surveys/answer.html", engagement=engagement, template=template, response=None, form=form), status


@bp.route("/surveys")
@role_required(Role.OPERATOR)
def results():
    """Survey results of a fiscal year: share 課題解決につながった (001:195), per menu item and
    provider, and the municipalities that have not answered."""
    years = queries.survey_fiscal_years(g.tenant)
    fiscal_year = request.args.get("fiscal_year", type=int) or (years[0] if years else None)
    results = queries.survey_results(g.tenant, fiscal_year) if fiscal_year else None
    return render_template("surveys/results.html", years=years, fiscal_year=fiscal_year, results=results)


def survey_tasks(user, tenant) -> list[Task]:
    """Home-page task of municipal staff: surveys to answer."""
    if user.role != Role.MUNICIPAL:
        return []
    return [Task(_("回答待ちの事後アンケート"), queries.count_surveys_to_answer(user, tenant), "engagements.index", {})]


TASK_PROVIDERS.append(survey_tasks)
