"""Delivery views of the engagements blueprint: kickoff (draft, agree, record), support sessions with
attachments (log, confirm, download) and marking the support complete. Registered on
`app.engagements.views.bp` (imported at the end of views.py)."""
from __future__ import annotations

from flask import abort, flash, g, render_template, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.core.clock import today_jst
from app.core.web import get_or_404
from app.engagements import attachments, kickoff, services
from app.engagements.forms import ConfirmSessionForm, KickoffForm, SessionForm
from app.engagements.models import Engagement, SessionAttachment, SupportSession
from app.engagements.permissions import (can_download_attachment, can_draft_kickoff, can_record_kickoff,
                                         is_engagement_municipality, is_engagement_provider, is_operator)
from app.engagements.services import EngagementError
from app.engagements.views import MEMBERS, _load, _render_detail, _require, _to_detail, bp
from app.extensions import db


def _kickoff_fields(form: KickoffForm) -> dict:
    return {"issues": form.kickoff_issues.data, "goals": form.kickoff_goals.data,
            "planned_sessions": form.planned_sessions.data, "planned_dates": form.dates()}


@bp.route("/engagements/<int:engagement_id>/kickoff", methods=["GET", "POST"])
@role_required(Role.PROVIDER, Role.OPERATOR)
def kickoff_edit(engagement_id: int):
    """The provider drafts the kickoff (the municipality then agrees), or the operator records an
    agreed kickoff directly; only while the engagement is 受諾済 (003:1671)."""
    engagement = _load(engagement_id)
    _require(is_operator(current_user, engagement) or is_engagement_provider(current_user, engagement))
    as_operator = can_record_kickoff(current_user, engagement)
    if not (as_operator or can_draft_kickoff(current_user, engagement)):
        flash(_("受諾済みの案件のみキックオフを記録できます。"), "error")
        return _to_detail(engagement)
    saved = {"kickoff_issues": engagement.kickoff_issues, "kickoff_goals": engagement.kickoff_goals,
             "planned_sessions": engagement.planned_sessions,
             "planned_dates": [p.planned_on for p in engagement.planned_dates]}
    form = KickoffForm(data=saved) if request.method == "GET" else KickoffForm()
    if form.validate_on_submit():
        try:
            action = kickoff.record_kickoff if as_operator else kickoff.draft_kickoff
            action(engagement, actor=current_user, **_kickoff_fields(form))
        except EngagementError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("キックオフを記録しました。支援実施記録を登録できます。") if as_operator
                  else _("キックオフの内容を保存しました。市町村の合意を待っています。"), "success")
            return _to_detail(engagement)
    status = 400 if form.is_submitted() else 200
    return render_template("engagements/kickoff_form.html", engagement=engagement, form=form, as_operator=as_operator), status


@bp.route("/engagements/<int:engagement_id>/kickoff/agree", methods=["POST"])
@role_required(Role.MUNICIPAL)
def kickoff_agree(engagement_id: int):
    """The municipality agrees to the kickoff drafted by the provider (受諾済 → 支援中)."""
    engagement = _load(engagement_id)
    _require(is_engagement_municipality(current_user, engagement))
    try:
        kickoff.agree_kickoff(engagement, actor=current_user)
    except EngagementError as exc:
        flash(str(exc), "error")
        return _render_detail(engagement, 400)
    db.session.commit()
    flash(_("キックオフの内容に合意しました。"), "success")
    return _to_detail(engagement)


def _uploads() -> list[attachments.Upload]:
    limit = attachments.max_bytes()
    return [attachments.Upload(f.filename, f.read(limit + 1)) for f in request.files.getlist("attachments") if f and f.filename]


def _log(engagement: Engagement, form: SessionForm) -> None:
    session = services.log_session(
        engagement, actor=current_user, held_on=form.held_on.data, format=form.format.data,
        duration_minutes=form.duration_minutes(), attendees=form.attendees(), content=form.content.data,
        proposals_count=form.proposals_count.data or 0, proposals_text=form.proposals_text.data or "",
        next_steps=form.next_steps.data or "", start_time=form.start_time.data, categories=form.categories.data or [],
        today=today_jst())
    uploads = _uploads()
    if uploads:
        attachments.attach_files(session, uploads, actor=current_user)


@bp.route("/engagements/<int:engagement_id>/sessions/new", methods=["GET", "POST"])
@role_required(Role.PROVIDER)
def session_new(engagement_id: int):
    """The provider logs a support session with optional attachments (phone-friendly form), from
    the support phase on (digest §10.5) and after the kickoff; tenant quotas apply."""
    engagement = _load(engagement_id)
    _require(is_engagement_provider(current_user, engagement))
    problem = services.session_logging_problem(engagement)
    if problem and request.method == "GET":
        flash(problem, "error")
        return _to_detail(engagement)
    # Room for every allowed file plus the text fields (the app default is one file's size).
    request.max_content_length = attachments.max_files() * attachments.max_bytes() + 1024 * 1024
    form = SessionForm()
    form.set_categories(g.tenant)
    if form.validate_on_submit():
        try:
            _log(engagement, form)
        except EngagementError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("支援実施記録を登録しました。"), "success")
            return _to_detail(engagement)
    status = 400 if form.is_submitted() else 200
    return render_template("engagements/session_form.html", engagement=engagement, form=form,
                           accept=attachments.ACCEPT_ATTR, max_files=attachments.max_files(),
                           max_mb=attachments.max_bytes() // (1024 * 1024)), status


@bp.route("/sessions/<int:session_id>/confirm", methods=["POST"])
@role_required(Role.MUNICIPAL)
def session_confirm(session_id: int):
    """Municipal staff confirm a session of their municipality, with an optional comment."""
    session = get_or_404(SupportSession, session_id, SupportSession.tenant_id == g.tenant.id)
    engagement = _load(session.engagement_id)
    _require(is_engagement_municipality(current_user, engagement))
    form = ConfirmSessionForm()
    if form.validate_on_submit():
        try:
            services.confirm_session(session, actor=current_user, comment=form.comment.data or "")
        except EngagementError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("支援実施記録を確認しました。"), "success")
            return _to_detail(engagement)
    else:
        flash(_("コメントは2000文字以内で入力してください。"), "error")
    return _render_detail(engagement, 400)


@bp.route("/engagements/<int:engagement_id>/complete", methods=["POST"])
@role_required(Role.PROVIDER)
def complete(engagement_id: int):
    """The provider marks the support complete (支援中 → 支援完了; needs a confirmed session)."""
    engagement = _load(engagement_id)
    _require(is_engagement_provider(current_user, engagement))
    try:
        services.complete_engagement(engagement, actor=current_user)
    except EngagementError as exc:
        flash(str(exc), "error")
        return _render_detail(engagement, 400)
    db.session.commit()
    flash(_("支援完了にしました。実績報告を期限までに提出してください。"), "success")
    return _to_detail(engagement)


@bp.route("/attachments/<int:attachment_id>")
@role_required(*MEMBERS)
def attachment_download(attachment_id: int):
    """Download a session attachment: the engagement's provider, its municipality and the operator
    only (others 404); sent as an attachment, never rendered inline, not cached, audited."""
    attachment = get_or_404(SessionAttachment, attachment_id, SessionAttachment.tenant_id == g.tenant.id)
    session = get_or_404(SupportSession, attachment.session_id, SupportSession.tenant_id == g.tenant.id)
    _require(can_download_attachment(current_user, _load(session.engagement_id)))
    path = attachments.path_of(attachment)
    if not path.is_file():
        abort(404)
    attachments.record_download(attachment, actor=current_user)
    db.session.commit()
    response = send_file(path, mimetype=attachment.content_type, as_attachment=True,
                         download_name=attachment.original_name, max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
