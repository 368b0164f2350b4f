"""Reviewer views (routes under /t/<tenant_slug>/): the list of items to review, the conflict
declaration and the scoring form. Operator pages are in `app.reviews.operator_views`."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.applications.models import Application
from app.auth.models import Role
from app.auth.permissions import role_required
from app.calls.models import Call
from app.core.web import get_or_404, get_visible_or_404
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task
from app.menus.models import MenuProposal
from app.reviews import queries
from app.reviews.forms import DeclarationForm, score_form
from app.reviews.permissions import can_review_application, can_review_proposal, target_of
from app.reviews.rubric import rubric_for
from app.reviews.services import ReviewError, declare_conflict, score_application, score_proposal
from app.reviews.states import SCORING_PHASE, ReviewTarget

bp = Blueprint("reviews", __name__, url_prefix="/t/<tenant_slug>")


@bp.route("/reviews")
@role_required(Role.REVIEWER)
def index():
    """Items to review (proposals in 支援メニュー審査・選定, applications in 選定・決定) with this
    reviewer's declaration and scoring status."""
    return render_template("reviews/index.html", rows=queries.items_to_review(g.tenant, current_user))


@bp.route("/reviews/proposals/<int:proposal_id>", methods=["GET", "POST"])
@role_required(Role.REVIEWER)
def score(proposal_id: int):
    """One proposal: the conflict declaration first, then its details and the scoring form."""
    return _item_page(get_visible_or_404(MenuProposal, proposal_id, can_review_proposal), score_proposal)


@bp.route("/reviews/applications/<int:application_id>", methods=["GET", "POST"])
@role_required(Role.REVIEWER, Role.OPERATOR)
def score_application_page(application_id: int):
    """One application: declaration, details and scoring form. Operators following such a link
    land on the call's application review results."""
    if current_user.role == Role.OPERATOR:
        application = get_or_404(Application, application_id, Application.tenant_id == g.tenant.id)
        return redirect(url_for("reviews.results", call_id=application.call_id, kind=ReviewTarget.APPLICATION.value))
    return _item_page(get_visible_or_404(Application, application_id, can_review_application), score_application)


def _item_page(item, score_service):
    declaration = queries.declaration_of(current_user, item)
    if request.method == "POST" and request.form.get("form_name") == "declare":
        return _declare(item)
    if declaration is None:
        status = 400 if request.method == "POST" else 200
        if status == 400:
            flash(_("採点の前に、利害関係の有無を申告してください。"), "error")
        return render_template("reviews/declare.html", item=item, target=target_of(item), form=DeclarationForm()), status
    return _score(item, score_service)


def _declare(item):
    form = DeclarationForm()
    if form.validate_on_submit():
        conflicted = form.has_conflict.data == "yes"
        try:
            declare_conflict(item, current_user, has_conflict=conflicted, reason=form.reason.data or "")
        except ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            if conflicted:
                flash(_("利害関係ありと申告しました。この審査対象の担当から外れました。"), "success")
                return redirect(url_for("reviews.index"))
            flash(_("利害関係なしと申告しました。"), "success")
            return redirect(request.path)
    return render_template("reviews/declare.html", item=item, target=target_of(item), form=form), 400


def _score(item, score_service):
    target = target_of(item)
    own = queries.review_by(item, current_user)
    criteria = rubric_for(_call(item), target, g.tenant)
    form = score_form(criteria, own)
    if request.method == "POST" and form.validate_on_submit():
        try:
            score_service(item, current_user, scores=form.scores(), justifications=form.justifications(),
                          comment=form.comment.data or "")
        except ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("採点を保存しました。"), "success")
            return redirect(url_for("reviews.index"))
    return render_template(
        "reviews/score.html", item=item, target=target, form=form, scorable=_scorable(item, target), own=own,
        call=_call(item), labels={c.key: c.label for c in criteria},
        others=[(r, name) for r, name in queries.reviews_of(item) if r.reviewer_id != current_user.id] if own else [],
    ), 400 if form.is_submitted() else 200


def _call(item) -> Call:
    return get_or_404(Call, item.call_id, Call.tenant_id == g.tenant.id)


def _scorable(item, target: ReviewTarget) -> bool:
    return _call(item).phase == SCORING_PHASE[target] and item.state.value == "submitted"


def reviewer_tasks(user, tenant) -> list[Task]:
    """Home task of a reviewer: items on their list not scored yet."""
    if user.role != Role.REVIEWER:
        return []
    return [Task(_("未採点の審査対象（支援メニュー提案・申込）"), queries.unscored_count(tenant, user), "reviews.index", {})]


TASK_PROVIDERS.append(reviewer_tasks)

from app.reviews import operator_views  # noqa: F401  (registers the operator routes on `bp`)
