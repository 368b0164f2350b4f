"""Views of the notifications domain (routes under /t/<tenant_slug>/): the user's in-app
notifications and channel preference; for operators the outbox (送信メール), the job schedule with
past and failed runs, the preview of every bulk notice the jobs will send (/bulk-notices), the preview of
the call-open notice before 「送信」, and a call's 通知設定 (reminder timings)."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.auth.models import Role
from app.auth.permissions import is_member, role_required
from app.calls import jobs as call_jobs
from app.calls.models import Call
from app.calls.queries import current_call
from app.calls.states import CallModel, CallPhase
from app.core.clock import now_utc
from app.core.web import PAGE_ARG, get_or_404, get_visible_or_404
from app.extensions import db
from app.notifications import queries, services
from app.notifications.bulk import preview
from app.notifications.forms import NoticeSettingsForm, OutboxFilterForm, PreferenceForm
from app.notifications.models import Notification
from app.notifications.permissions import is_own_notification
from app.notifications.states import Channel, NotificationState
from app.notifications.sealing import SealError, mail_body, shows_live_links
from app.notifications.texts import PASSWORD_LINK_KINDS, kind_label
from app.notifications.timings import LIMITS, NoticeSettingsError, notice_timings, set_call_timings, tenant_timings
from app.scheduling import discover, upcoming

bp = Blueprint("notifications", __name__, url_prefix="/t/<tenant_slug>")
EVERYONE = (Role.OPERATOR, Role.REVIEWER, Role.MUNICIPAL, Role.PROVIDER)


@bp.app_context_processor
def _unread_badge():
    tenant = getattr(g, "tenant", None)
    if tenant is None or not is_member(current_user, tenant):
        return {"unread_notifications": None}
    return {"unread_notifications": queries.unread_count(tenant, current_user)}


def _page() -> int:
    return request.args.get("page", 1, type=PAGE_ARG)


@bp.route("/notifications")
@role_required(*EVERYONE)
def index():
    """The user's in-app notifications, newest first, unread marked as text."""
    return render_template("notifications/index.html", page=queries.notifications_of(g.tenant, current_user, _page()),
                           kind_label=kind_label)


@bp.route("/notifications/<int:notification_id>/read", methods=["POST"])
@role_required(*EVERYONE)
def read(notification_id: int):
    """Mark one of the user's notifications read."""
    row = get_visible_or_404(Notification, notification_id, is_own_notification)
    services.mark_read(row)
    db.session.commit()
    return redirect(url_for(".index"))


@bp.route("/notifications/read-all", methods=["POST"])
@role_required(*EVERYONE)
def read_all():
    """Mark every notification of the user read."""
    count = services.mark_all_read(g.tenant, current_user)
    db.session.commit()
    flash(_("%(n)d 件のお知らせを既読にしました。", n=count), "success")
    return redirect(url_for(".index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@role_required(*EVERYONE)
def preferences():
    """The user's channel: e-mail and in-app, or in-app only."""
    current = services.channels_of(g.tenant, [current_user.id]).get(current_user.id, Channel.EMAIL_AND_IN_APP)
    form = PreferenceForm(data={"channel": current.value})
    if form.validate_on_submit():
        services.set_channel(g.tenant, current_user, Channel(form.channel.data))
        db.session.commit()
        flash(_("通知の受け取り方を保存しました。"), "success")
        return redirect(url_for(".preferences"))
    return render_template("notifications/preferences.html", form=form), 400 if form.errors else 200


@bp.route("/outbox")
@role_required(Role.OPERATOR)
def outbox():
    """送信メール: every queued, sent and failed mail of the tenant, filtered by state and kind."""
    form = OutboxFilterForm(request.args)
    form.kind.choices = [SelectChoice("", _("すべて"))] + [SelectChoice(k, kind_label(k)) for k in queries.kinds(g.tenant)]
    state = form.state.data if form.validate() and form.state.data else None
    page = queries.outbox(g.tenant, state=NotificationState(state) if state else None, kind=form.kind.data or "",
                          page=_page())
    return render_template("notifications/outbox.html", form=form, page=page, counts=queries.state_counts(g.tenant),
                           open_call=current_call(g.tenant, CallPhase.APPLICATIONS),
                           kind_label=kind_label, NotificationState=NotificationState,
                           hidden_body_kinds=_hidden_body_kinds(), shown_body=_shown_body)


def _hidden_body_kinds() -> frozenset[str]:
    """Kinds whose body the 送信メール page does not show: their link sets a password, so only the
    recipient may see it. In development with the "store" backend (nothing is mailed) the page is
    the only way to follow such a link, so it shows them there; never in production."""
    return frozenset() if shows_live_links() else PASSWORD_LINK_KINDS


def _shown_body(row) -> str:
    """The body as 送信メール shows it: with the live link only where `shows_live_links()`."""
    if row.sealed_link and shows_live_links():
        try:
            return mail_body(row)
        except SealError:
            return row.body
    return row.body


@bp.route("/jobs")
@role_required(Role.OPERATOR)
def jobs():
    """Scheduled jobs: next runs, the calendar dates they act on, failed runs (失敗, with the first
    line of the error and whether a retry has since succeeded) and past runs (the ledger)."""
    return render_template("notifications/jobs.html", upcoming=upcoming(g.tenant, now_utc()),
                           runs=queries.past_runs(g.tenant, _page()), failures=queries.recent_failures(g.tenant))


@bp.route("/bulk-notices")
@role_required(Role.OPERATOR)
def bulk_notices():
    """Every bulk notice the jobs will send (from today on): per occasion the planned date, the
    recipients (all / not yet sent) and the subject and body of a sample. Nothing is queued here."""
    now = now_utc()
    sections = [(spec, [preview(g.tenant, b) for b in spec.preview(g.tenant, now)])
                for spec in sorted(discover().values(), key=lambda s: s.id) if spec.preview]
    return render_template("notifications/bulk.html", sections=[s for s in sections if s[1]])


@bp.route("/calls/<int:call_id>/open-notice", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def open_notice(call_id: int):
    """Preview of the call-open notice (recipients and rendered text); POST 「送信」 queues it.

    Already-queued recipients are skipped, so the scheduled job and this button never both send."""
    call = get_or_404(Call, call_id, Call.tenant_id == g.tenant.id)
    sendable = call.phase == CallPhase.APPLICATIONS and call.call_model == CallModel.ANNUAL
    if request.method == "POST" and not sendable:
        flash(_("募集開始のお知らせは、申込受付中の募集についてのみ送信できます。"), "error")
        return _render_open_notice(call, sendable), 409
    if request.method == "POST":
        opened, nudged = call_jobs.queue_open_notices(g.tenant, call)
        db.session.commit()
        flash(_("募集開始のお知らせ %(o)d 件、優先市町村への案内 %(n)d 件を送信待ちにしました。", o=opened, n=nudged), "success")
        return redirect(url_for(".outbox"))
    return _render_open_notice(call, sendable)


def _render_open_notice(call: Call, sendable: bool):
    notice, nudge = (preview(g.tenant, b) for b in call_jobs.open_batches(g.tenant, call))
    return render_template("notifications/open_notice.html", call=call, users=notice.batch.users,
                           nudged=nudge.batch.users, sendable=sendable, notice=notice.sample, nudge=nudge.sample)


@bp.route("/calls/<int:call_id>/notice-settings", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def notice_settings(call_id: int):
    """通知設定 of a call: override the tenant's reminder timings (blank = the tenant's value). Audited."""
    call = get_or_404(Call, call_id, Call.tenant_id == g.tenant.id)
    form = NoticeSettingsForm(data=call.notice_settings or {})
    if form.validate_on_submit():
        try:
            set_call_timings(call, {key: form[key].data for key in LIMITS}, actor=current_user)
        except NoticeSettingsError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("通知設定を保存しました。"), "success")
            return redirect(url_for(".notice_settings", call_id=call.id))
    return render_template("notifications/notice_settings.html", call=call, form=form, limits=LIMITS,
                           tenant_values=asdict(tenant_timings(g.tenant)), effective=asdict(notice_timings(g.tenant, call))), \
        400 if form.is_submitted() else 200
