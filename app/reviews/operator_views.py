"""Operator pages of the reviews domain (under /t/<tenant_slug>/calls/<call_id>/reviews): results
with averages and spread, rubric editor, reviewer assignment and workload, the 審査表 export.
`?kind=proposal|application` selects メニュー提案審査 or 申込審査 (default: proposals)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role, User
from app.auth.permissions import role_required
from app.calls.models import Call
from app.core.audit import record_audit
from app.core.excel import workbook_response
from app.core.web import get_or_404
from app.extensions import db
from app.reviews import assignment, queries
from app.reviews.exports import review_workbook
from app.reviews.forms import AutoAssignForm, ManualAssignForm, RubricForm
from app.reviews.rubric import rubric_for
from app.reviews.services import ReviewError, update_rubric
from app.reviews.states import ReviewTarget
from app.reviews.views import bp

BLANK_ROWS = 2


def _kind() -> ReviewTarget:
    try:
        return ReviewTarget(request.args.get("kind", ReviewTarget.PROPOSAL.value))
    except ValueError:
        abort(404)


def _load_call(call_id: int) -> Call:
    return get_or_404(Call, call_id, Call.tenant_id == g.tenant.id)


def _here(endpoint: str, call: Call, kind: ReviewTarget):
    return redirect(url_for(endpoint, call_id=call.id, kind=kind.value))


@bp.route("/calls/<int:call_id>/reviews")
@role_required(Role.OPERATOR)
def results(call_id: int):
    """Every item of the call with its reviews: weighted average, min–max, standard deviation,
    number of reviews, and each reviewer's scores and justifications."""
    call, kind = _load_call(call_id), _kind()
    return render_template("reviews/results.html", call=call, kind=kind, kinds=list(ReviewTarget),
                           results=queries.item_results(call, kind), criteria=rubric_for(call, kind, g.tenant),
                           conflicts=queries.declarations_of(call, kind, conflicts_only=True),
                           names=_names(g.tenant.id))


def _names(tenant_id: int) -> dict[int, str]:
    return {u.id: u.display_name for u in queries.reviewers_of(tenant_id)}


@bp.route("/calls/<int:call_id>/reviews/rubric", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def rubric(call_id: int):
    """Edit the call's rubric for one kind (criteria, points, weights, required) until the first
    score of that kind is recorded."""
    call, kind = _load_call(call_id), _kind()
    locked = queries.rubric_is_locked(call, kind)
    current = rubric_for(call, kind, g.tenant)
    rows = [{"key": c.key, "label": c.label, "max_points": c.max, "weight": c.weight, "is_required": c.required}
            for c in current] + [{"is_required": True}] * BLANK_ROWS
    form = RubricForm() if request.method == "POST" else RubricForm(data={"rows": rows})
    if request.method == "POST" and not locked and form.validate_on_submit():
        try:
            update_rubric(call, kind, form.criteria(), actor=current_user)
        except ReviewError as exc:
            db.session.rollback()
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("評価項目を保存しました。"), "success")
            return _here("reviews.rubric", call, kind)
    elif request.method == "POST" and locked:
        flash(_("採点が始まっているため、評価項目は変更できません。"), "error")
    status = 400 if request.method == "POST" else 200
    return render_template("reviews/rubric.html", call=call, kind=kind, kinds=list(ReviewTarget), form=form,
                           locked=locked, criteria=current), status


def _items_by_id(call: Call, kind: ReviewTarget) -> dict[int, object]:
    return {item.id: item for item in queries.call_items(call, kind)}


@bp.route("/calls/<int:call_id>/reviews/assignments")
@role_required(Role.OPERATOR)
def assignments(call_id: int):
    """Assignment of reviewers to the call's items (automatic and by hand) and the workload."""
    call, kind = _load_call(call_id), _kind()
    return _render_assignments(call, kind, AutoAssignForm(), 200)


def _render_assignments(call: Call, kind: ReviewTarget, auto_form: AutoAssignForm, status: int):
    by_item: dict[int, list] = {}
    for a in queries.assignments_of(call, kind):
        by_item.setdefault(a.item_id, []).append(a)
    scored = {(r.reviewer_id, r.item_id) for result in queries.item_results(call, kind) for r, _n in result.reviews}
    return render_template(
        "reviews/assignments.html", call=call, kind=kind, kinds=list(ReviewTarget), auto_form=auto_form,
        items=queries.reviewable_items(call.tenant_id, kind, call_id=call.id), by_item=by_item, scored=scored,
        reviewers=queries.reviewers_of(call.tenant_id), names=_names(call.tenant_id), workload=queries.workload(call, kind),
        conflicts=queries.declarations_of(call, kind, conflicts_only=True),
    ), status


@bp.route("/calls/<int:call_id>/reviews/assignments/auto", methods=["POST"])
@role_required(Role.OPERATOR)
def auto_assign(call_id: int):
    """Run the automatic balanced assignment (keeps existing assignments)."""
    call, kind = _load_call(call_id), _kind()
    form = AutoAssignForm()
    if not form.validate_on_submit():
        return _render_assignments(call, kind, form, 400)
    try:
        result = assignment.assign_reviewers(call, kind, per_item=form.per_item.data,
                                             cap_per_reviewer=form.cap_per_reviewer.data, actor=current_user)
    except ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_assignments(call, kind, form, 400)
    db.session.commit()
    flash(_("%(n)d件の割当を追加しました。", n=len(result.added)), "success")
    if result.short:
        flash(_("審査員が不足している審査対象が%(n)d件あります（利害関係または上限のため）。", n=len(result.short)), "error")
    return _here("reviews.assignments", call, kind)


@bp.route("/calls/<int:call_id>/reviews/assignments/edit", methods=["POST"])
@role_required(Role.OPERATOR)
def edit_assignment(call_id: int):
    """Add or remove one reviewer on one item by hand."""
    call, kind = _load_call(call_id), _kind()
    form = ManualAssignForm()
    if not form.validate_on_submit():
        flash(_("審査対象と審査員を選んでください。"), "error")
        return _render_assignments(call, kind, AutoAssignForm(formdata=None), 400)
    item = _items_by_id(call, kind).get(form.item_id.data)
    reviewer = db.session.scalar(sa.select(User).where(User.tenant_id == g.tenant.id, User.id == form.reviewer_id.data))
    if item is None or reviewer is None:
        abort(404)
    try:
        if form.action.data == "add":
            assignment.add_assignment(call, kind, item, reviewer, actor=current_user)
        else:
            assignment.remove_assignment(call, kind, item, reviewer, actor=current_user)
    except ReviewError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return _render_assignments(call, kind, AutoAssignForm(formdata=None), 400)
    db.session.commit()
    flash(_("割当を追加しました。") if form.action.data == "add" else _("割当を解除しました。"), "success")
    return _here("reviews.assignments", call, kind)


@bp.route("/calls/<int:call_id>/reviews/export.xlsx")
@role_required(Role.OPERATOR)
def export(call_id: int):
    """Download the 審査表 of the call (.xlsx: 申込審査 and メニュー提案審査); audited."""
    call = _load_call(call_id)
    workbook = review_workbook(call)
    record_audit("review.export", tenant_id=call.tenant_id, actor=current_user, target=call, changes={"format": "xlsx"})
    db.session.commit()
    return workbook_response(workbook, f"審査表_{call.fiscal_year}年度.xlsx")

