"""Views of the menus domain (routes under /t/<tenant_slug>/): provider proposals, the operator's
adoption and publication, and the public numbered menu."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.calls.models import Call
from app.calls.states import CallPhase
from app.core.audit import history_for
from app.core.conflicts import submitted_version
from app.core.wareki import fiscal_year_label
from app.core.web import PAGE_ARG, YEAR_ARG, get_or_404, get_visible_or_404
from app.extensions import db
from app.home.queries import TASK_PROVIDERS, Task
from app.menus import queries
from app.menus import services  # importing it also registers the APPLICATIONS phase guard at app start
from app.menus.forms import DecisionForm, ProposalForm
from app.menus.models import MenuProposal
from app.menus.permissions import can_view_proposal, is_provider_user, owns_proposal
from app.menus.services import MenuError
from app.menus.states import ProposalState
from app.reviews.queries import reviews_of
from app.reviews.services import rubric

bp = Blueprint("menus", __name__, url_prefix="/t/<tenant_slug>")

def _provider_only() -> None:
    if not is_provider_user(current_user):
        abort(404)


def _load_proposal(proposal_id: int) -> MenuProposal:
    return get_visible_or_404(MenuProposal, proposal_id, can_view_proposal)


def _own_proposal(proposal_id: int) -> MenuProposal:
    return get_visible_or_404(MenuProposal, proposal_id, owns_proposal)


@bp.route("/proposals")
@role_required(Role.PROVIDER)
def my_proposals():
    """The company's own proposals across calls, newest first (paginated by 50)."""
    _provider_only()
    page = queries.proposals_of_provider(g.tenant, current_user.organisation_id,
                                         page=request.args.get("page", 1, type=PAGE_ARG))
    return render_template("menus/my_proposals.html", page=page, open_call=queries.proposal_call(g.tenant))


def _render_form(template: str, form: ProposalForm, status: int = 200, **context):
    return render_template(template, form=form, **context), status


@bp.route("/proposals/new", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def proposal_new():
    """Propose a menu item for the call that accepts proposals now (phase 支援メニュー提案受付)."""
    _provider_only()
    call = queries.proposal_call(g.tenant)
    if call is None:
        if request.method == "POST":
            flash(_("現在、支援メニューの提案は受け付けていません。"), "error")
        return render_template("menus/closed.html"), (400 if request.method == "POST" else 200)
    form = ProposalForm().set_choices(g.tenant, queries.tenant_regions(g.tenant))
    if form.validate_on_submit():
        try:
            proposal = services.propose_menu_item(call, current_user.organisation, actor=current_user, **form.values())
        except MenuError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("提案を下書き保存しました。内容を確認して提出してください。"), "success")
            return redirect(url_for("menus.proposal_detail", proposal_id=proposal.id))
    return _render_form("menus/proposal_form.html", form, 400 if form.is_submitted() else 200, call=call, proposal=None)


@bp.route("/proposals/<int:proposal_id>")
@role_required(Role.PROVIDER, Role.OPERATOR)
def proposal_detail(proposal_id: int):
    """One proposal: the proposing company sees it and the decision; operators also see the
    reviews and decide."""
    proposal = _load_proposal(proposal_id)
    return _render_detail(proposal, DecisionForm(formdata=None))


def _render_detail(proposal: MenuProposal, decision_form: DecisionForm, status: int = 200):
    is_operator = current_user.role == Role.OPERATOR
    reviews = reviews_of(proposal) if is_operator else []
    totals = [r.total for r, _name in reviews]
    return render_template(
        "menus/proposal_detail.html", proposal=proposal, call=queries.call_of(proposal), is_operator=is_operator,
        reviews=reviews, average=(sum(totals) / len(totals)) if totals else None, criteria=rubric(g.tenant),
        decision_form=decision_form, history=history_for("menu_proposal", proposal.id),
        state_labels={s.value: s.label for s in ProposalState},
    ), status


@bp.route("/proposals/<int:proposal_id>/edit", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def proposal_edit(proposal_id: int):
    """Edit a draft proposal while the call accepts proposals."""
    proposal = _own_proposal(proposal_id)
    call = queries.call_of(proposal)
    if proposal.state != ProposalState.DRAFT or call.phase != CallPhase.PROPOSALS:
        flash(_("この提案は現在変更できません。"), "error")
        return redirect(url_for("menus.proposal_detail", proposal_id=proposal.id))
    form = ProposalForm(obj=proposal if request.method == "GET" else None)
    form.set_choices(g.tenant, queries.tenant_regions(g.tenant))
    if request.method == "GET":
        form.format.data = proposal.format.value
    if form.validate_on_submit():
        try:
            services.update_proposal(proposal, actor=current_user, version_id=submitted_version(form.version_id.data),
                                     **form.values())
        except MenuError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("提案を保存しました。"), "success")
            return redirect(url_for("menus.proposal_detail", proposal_id=proposal.id))
    return _render_form("menus/proposal_form.html", form, 400 if form.is_submitted() else 200, call=call, proposal=proposal)


def _provider_action(proposal_id: int, action, done: str):
    proposal = _own_proposal(proposal_id)
    try:
        action(proposal, actor=current_user)
    except MenuError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_detail(proposal, DecisionForm(formdata=None), 400)
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("menus.proposal_detail", proposal_id=proposal.id))


@bp.route("/proposals/<int:proposal_id>/submit", methods=["POST"])
@role_required(Role.PROVIDER)
def proposal_submit(proposal_id: int):
    """Submit a draft proposal (下書き → 提出済) while the call accepts proposals."""
    return _provider_action(proposal_id, services.submit_proposal, _("提案を提出しました。"))


@bp.route("/proposals/<int:proposal_id>/withdraw", methods=["POST"])
@role_required(Role.PROVIDER)
def proposal_withdraw(proposal_id: int):
    """Take a submitted proposal back to draft (提出済 → 下書き) while the call accepts proposals."""
    return _provider_action(proposal_id, services.withdraw_proposal, _("提出を取り消しました。下書きとして編集できます。"))


@bp.route("/calls/<int:call_id>/proposals")
@role_required(Role.OPERATOR)
def call_proposals(call_id: int):
    """All submitted proposals of a call with review counts and average scores; publication."""
    return _render_call_proposals(get_or_404(Call, call_id, Call.tenant_id == g.tenant.id))


def _render_call_proposals(call: Call, status: int = 200):
    sort = request.args.get("sort", "")
    rows = queries.call_proposal_rows(g.tenant, call, sort=sort)
    return render_template("menus/call_proposals.html", call=call, rows=rows, sort=sort,
                           adopted=queries.adopted_count(g.tenant, call),
                           undecided=sum(1 for r in rows if r.proposal.state == ProposalState.SUBMITTED)), status


@bp.route("/proposals/<int:proposal_id>/decide", methods=["POST"])
@role_required(Role.OPERATOR)
def decide(proposal_id: int):
    """Adopt, reject (with reason) or undo the decision on a proposal, until the menu is published."""
    proposal = _load_proposal(proposal_id)
    form = DecisionForm()
    if not form.validate():
        return _render_detail(proposal, form, 400)
    try:
        if form.decision.data == "undo":
            services.undo_decision(proposal, actor=current_user)
        else:
            services.decide_proposal(proposal, actor=current_user, adopt=form.decision.data == "adopt",
                                     reason=form.reason.data or "")
    except MenuError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_detail(proposal, form, 400)
    db.session.commit()
    flash(_("採否を更新しました。"), "success")
    return redirect(url_for("menus.call_proposals", call_id=proposal.call_id))


@bp.route("/calls/<int:call_id>/menu/publish", methods=["POST"])
@role_required(Role.OPERATOR)
def publish(call_id: int):
    """Number the adopted items and publish the menu (then frozen for the year)."""
    call = get_or_404(Call, call_id, Call.tenant_id == g.tenant.id)
    try:
        items = services.publish_menu(call, actor=current_user)
    except MenuError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_call_proposals(call, 400)
    db.session.commit()
    flash(_("支援メニュー（%(n)d項目）を公開しました。", n=len(items)), "success")
    return redirect(url_for("menus.call_proposals", call_id=call_id))


@bp.route("/menu")
def public_menu():
    """The published, numbered menu (public): by fiscal year, category and free text."""
    calls = queries.published_calls(g.tenant)
    fiscal_year = request.args.get("fiscal_year", type=YEAR_ARG)
    call = next((c for c in calls if c.fiscal_year == fiscal_year), None) if fiscal_year else (calls[0] if calls else None)
    items = queries.published_menu(g.tenant, call)
    category = request.args.get("category", "")
    text = request.args.get("q", "")[:100]
    shown = queries.filter_menu(items, category=category, text=text)
    return render_template("menus/public_menu.html", calls=calls, call=call, items=items, shown=shown,
                           category=category, q=text, filtered=bool(category or text.strip()))


@bp.route("/menu/<int:item_id>")
def item_detail(item_id: int):
    """One item of a published menu with all its fields and the proposing company (public)."""
    item = queries.published_item(g.tenant, item_id)
    if item is None:
        abort(404)
    return render_template("menus/item_detail.html", item=item, call=queries.call_of(item))


def menu_tasks(user, tenant) -> list[Task]:
    """Home tasks: a provider's draft proposals while proposals are accepted; an operator's
    submitted proposals awaiting a decision in 審査・選定 (one task per call)."""
    if user.role == Role.PROVIDER and is_provider_user(user):
        return [Task(_("提出していないメニュー提案（下書き）"), queries.draft_count(tenant, user.organisation_id), "menus.my_proposals", {})]
    if user.role == Role.OPERATOR:
        return [Task(_("採否未決定の支援メニュー提案（%(fy)s）", fy=fiscal_year_label(call.fiscal_year)), n, "menus.call_proposals",
                     {"call_id": call.id}) for call, n in queries.undecided_counts(tenant)]
    return []


TASK_PROVIDERS.append(menu_tasks)
