"""Views of the reviews domain (routes under /t/<tenant_slug>/): reviewers score menu proposals."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.core.web import get_visible_or_404
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task
from app.calls.states import CallPhase
from app.menus.models import MenuProposal
from app.menus.queries import call_of
from app.menus.states import ProposalState
from app.reviews.forms import score_form
from app.reviews.permissions import can_review_proposal
from app.reviews.queries import proposals_to_review, review_by, unscored_count
from app.reviews.services import ReviewError, rubric, score_proposal

bp = Blueprint("reviews", __name__, url_prefix="/t/<tenant_slug>")


@bp.route("/reviews")
@role_required(Role.REVIEWER)
def index():
    """Proposals under review (call in 審査・選定) with 採点済/未採点 for this reviewer."""
    rows = proposals_to_review(g.tenant, current_user)
    return render_template("reviews/index.html", rows=rows)


@bp.route("/reviews/proposals/<int:proposal_id>", methods=["GET", "POST"])
@role_required(Role.REVIEWER)
def score(proposal_id: int):
    """Score one proposal on the tenant's rubric (re-scoring replaces the earlier scores)."""
    proposal = get_visible_or_404(MenuProposal, proposal_id, can_review_proposal)
    criteria = rubric(g.tenant)
    form = score_form(criteria, review_by(proposal, current_user))
    if form.validate_on_submit():
        try:
            score_proposal(proposal, current_user, scores=form.scores(), comment=form.comment.data or "")
        except ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("採点を保存しました。"), "success")
            return redirect(url_for("reviews.index"))
    scorable = call_of(proposal).phase == CallPhase.MENU_REVIEW and proposal.state == ProposalState.SUBMITTED
    status = 400 if form.is_submitted() else 200
    return render_template("reviews/score.html", proposal=proposal, form=form, scorable=scorable), status


def reviewer_tasks(user, tenant) -> list[Task]:
    """Home task of a reviewer: proposals not yet scored while a call is in 審査・選定."""
    if user.role != Role.REVIEWER:
        return []
    return [Task(_("未採点の支援メニュー提案"), unscored_count(tenant, user), "reviews.index", {})]


TASK_PROVIDERS.append(reviewer_tasks)
