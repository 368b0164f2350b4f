"""Views of the surveys domain (routes under /t/<tenant_slug>/): the municipality answers the
post-engagement survey (事後アンケート) and the follow-up of the next fiscal year, through its
account or a private expiring link; the operator issues links, reminds non-respondents and reads
the yearly results."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.core.clock import today_jst
from app.core.web import YEAR_ARG, get_visible_or_404
from app.coverage.figures import survey_chart, survey_shares
from app.coverage.forms import MAX_FISCAL_YEAR, MIN_FISCAL_YEAR
from app.engagements.models import Engagement
from app.engagements.permissions import is_operator
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task
from app.surveys import queries, requests
from app.surveys.forms import survey_form_class
from app.surveys.permissions import can_answer_survey, can_view_survey
from app.surveys.services import SurveyError, check_answerable, submit_survey
from app.surveys.states import SurveyKind
from app.surveys.template import load_survey_template, survey_of_version, survey_template_or_none

bp = Blueprint("surveys", __name__, url_prefix="/t/<tenant_slug>")
ENDPOINTS = {SurveyKind.INITIAL: "surveys.answer", SurveyKind.FOLLOW_UP: "surveys.follow_up"}


def _answer_page(engagement_id: int, kind: SurveyKind):
    engagement = get_visible_or_404(Engagement, engagement_id, can_view_survey)
    template = survey_template_or_none(g.tenant)
    response = queries.response_of(engagement) if kind == SurveyKind.INITIAL else queries.follow_up_response_of(engagement)
    if response is not None:  # an answer is shown with the questions of the version it was given
        template = survey_of_version(g.tenant, response.questionnaire_version) or template
    questionnaire = template.for_kind(kind) if template else None
    if questionnaire is None:
        abort(404)
    here = url_for(ENDPOINTS[kind], engagement_id=engagement.id)
    survey_request = requests.request_of(engagement, kind)
    page = {"engagement": engagement, "template": questionnaire, "response": response, "action": here,
            "survey_request": survey_request, "today": today_jst(), "kind": kind}
    if response is not None or current_user.role == Role.OPERATOR:
        if request.method == "POST":
            flash(_("このアンケートは回答済みです。"), "error")
            return redirect(here)
        return render_template("surveys/answer.html", form=None, **page)
    try:
        if not can_answer_survey(current_user, engagement):
            raise SurveyError(_("支援完了後にアンケートに回答できます。"))
        check_answerable(engagement, kind, template, today_jst())
    except SurveyError as exc:
        flash(str(exc), "error")
        return redirect(url_for("engagements.detail", engagement_id=engagement.id))
    form = survey_form_class(questionnaire)()
    if form.validate_on_submit():
        try:
            submit_survey(engagement, actor=current_user, answers=form.answers(), template=template, kind=kind)
        except SurveyError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("アンケートにご回答いただきありがとうございました。"), "success")
            return redirect(here)
    return render_template("surveys/answer.html", form=form, **page), 400 if form.is_submitted() else 200


@bp.route("/engagements/<int:engagement_id>/survey", methods=["GET", "POST"])
@role_required(Role.MUNICIPAL, Role.OPERATOR)
def answer(engagement_id: int):
    """The municipality answers the survey once the engagement is completed; afterwards (and for
    the operator) the answers are shown read-only, with the request's status and reminders."""
    return _answer_page(engagement_id, SurveyKind.INITIAL)


@bp.route("/engagements/<int:engagement_id>/survey/follow-up", methods=["GET", "POST"])
@role_required(Role.MUNICIPAL, Role.OPERATOR)
def follow_up(engagement_id: int):
    """The follow-up survey (翌年度フォローアップ), answered in the fiscal year after the engagement's
    where the tenant's survey offers one (404 otherwise)."""
    return _answer_page(engagement_id, SurveyKind.FOLLOW_UP)


@bp.route("/engagements/<int:engagement_id>/survey/link", methods=["POST"])
@role_required(Role.OPERATOR)
def issue_link(engagement_id: int):
    """The operator issues (or re-issues) the private answer link of the engagement's unanswered
    survey; the page shows the link once (only its hash is kept)."""
    engagement = get_visible_or_404(Engagement, engagement_id, is_operator)
    kind = SurveyKind.FOLLOW_UP if request.form.get("kind") == SurveyKind.FOLLOW_UP.value else SurveyKind.INITIAL
    try:
        check_answerable(engagement, kind, load_survey_template(g.tenant), today_jst())
    except SurveyError as exc:
        flash(str(exc), "error")
        return redirect(url_for(ENDPOINTS[kind], engagement_id=engagement.id))
    survey_request = requests.request_survey(engagement, actor=current_user, kind=kind)
    token = requests.issue_survey_link(survey_request, actor=current_user, days=load_survey_template(g.tenant).link_days)
    db.session.commit()
    return render_template("surveys/links.html", links=[(survey_request, _link_url(token))], reminded=False)


def _link_url(token: str) -> str:
    return url_for("surveys.link_answer", token=token, _external=True)


@bp.route("/survey-link", methods=["GET", "POST"])
def link_answer():
    """Answer through a private link (no login): the token opens only its engagement's survey, once,
    before it expires. Used and expired links show a page and write nothing; unknown ones are 404."""
    token = request.values.get("token", "")
    survey_request = requests.find_link(g.tenant, token)
    if survey_request is None:
        abort(404)
    problem = requests.link_problem(survey_request)
    if problem is not None:
        return render_template("surveys/link_unusable.html", problem=problem), 410
    engagement, template = survey_request.engagement, survey_template_or_none(g.tenant)
    questionnaire = template.for_kind(survey_request.kind) if template else None
    if questionnaire is None:  # the office stopped this survey after the link was issued
        return render_template("surveys/link_unusable.html", problem="closed",
                               message=_("このアンケートは現在実施していません。")), 410
    form = survey_form_class(questionnaire)()
    page = {"engagement": engagement, "template": questionnaire, "token": token}
    if form.validate_on_submit():
        try:
            submit_survey(engagement, actor=None, answers=form.answers(), template=template, kind=survey_request.kind, via="link")
        except SurveyError as exc:
            return render_template("surveys/link_unusable.html", problem="closed", message=str(exc)), 409
        db.session.commit()
        return render_template("surveys/link_done.html", engagement=engagement)
    return render_template("surveys/link_answer.html", form=form, **page), 400 if form.is_submitted() else 200


@bp.route("/surveys")
@role_required(Role.OPERATOR)
def results():
    """Survey results of a fiscal year: share 課題解決につながった (001:195) per menu item and
    provider with the follow-up share beside it, and the non-respondents with due date, status
    and reminders (requests are created on completion and by the `surveys.requests` job)."""
    years = queries.survey_fiscal_years(g.tenant)
    fiscal_year = request.args.get("fiscal_year", type=YEAR_ARG) or (years[0] if years else None)
    results = queries.survey_results(g.tenant, fiscal_year) if fiscal_year else None
    template = survey_template_or_none(g.tenant)
    shares = survey_shares(g.tenant)  # the yearly chart (coverage.figures, issue 5 §6)
    return render_template("surveys/results.html", years=years, fiscal_year=fiscal_year, results=results,
                           has_follow_up=bool(template and template.follow_up), share_chart=survey_chart(shares) if shares else None)


@bp.route("/surveys/remind", methods=["POST"])
@role_required(Role.OPERATOR)
def remind():
    """「未回答者へ督促」: record a reminder on every unanswered request of the fiscal year (and kind)
    and re-issue their links, shown once on the page (e-mail comes with notifications)."""
    fiscal_year = request.form.get("fiscal_year", type=int)
    if fiscal_year is None or not MIN_FISCAL_YEAR <= fiscal_year <= MAX_FISCAL_YEAR:  # a huge number would overflow the query
        abort(400)
    kind = SurveyKind.FOLLOW_UP if request.form.get("kind") == SurveyKind.FOLLOW_UP.value else SurveyKind.INITIAL
    reminded = requests.remind_unanswered(g.tenant, fiscal_year, actor=current_user, kind=kind)
    db.session.commit()
    return render_template("surveys/links.html", links=[(r, _link_url(t)) for r, t in reminded], reminded=True,
                           fiscal_year=fiscal_year)


def survey_tasks(user, tenant) -> list[Task]:
    """Home-page task of municipal staff: surveys to answer (the follow-up ones included)."""
    if user.role != Role.MUNICIPAL:
        return []
    count = queries.count_surveys_to_answer(user, tenant) + len(queries.follow_up_requests_to_answer(user, tenant))
    return [Task(_("回答待ちの事後アンケート"), count, "engagements.index", {})]


TASK_PROVIDERS.append(survey_tasks)
