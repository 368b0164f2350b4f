"""事業設定 › 通知文 and タイル地図 (routes on the `settings` blueprint, operator only)."""
from __future__ import annotations

from flask import Response, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app.auth.models import Role
from app.auth.permissions import role_required
from app.core.conflicts import submitted_version
from app.extensions import db
from app.notifications.texts import DEFAULTS, KIND_LABELS, allowed_placeholders, preview, tenant_templates
from app.settings import services
from app.settings.forms import NotificationTextForm, TileLayoutForm, VersionedForm
from app.settings.views import _actor, _kind_or_404, _saved, bp


@bp.route("/notifications")
@role_required(Role.OPERATOR)
def notifications():
    """通知文: every notice kind with its current subject and whether the tenant changed it."""
    texts = tenant_templates(g.tenant)
    overridden = set(g.tenant.notification_texts or {})
    rows = [{"kind": kind, "label": KIND_LABELS.get(kind, kind), "subject": texts[kind][0],
             "overridden": kind in overridden} for kind in DEFAULTS]
    return render_template("settings/notifications.html", rows=rows)


@bp.route("/notifications/<kind>", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def notification_text(kind: str):
    """One notice's subject and body. 「プレビュー」 renders the input with sample values without
    saving; 「保存」 saves it (unknown `{placeholders}` refused with the allowed ones listed)."""
    kind = _kind_or_404(kind)
    subject, body = tenant_templates(g.tenant)[kind]
    form = NotificationTextForm(data={"subject": subject, "body": body, "version_id": g.tenant.version_id})
    shown, status = None, 200
    if form.validate_on_submit():
        if request.form.get("action") == "preview":
            problems = services.text_problems_of(kind, form.subject.data or "", form.body.data or "")
            form.put_problems(problems, {})
            shown = None if problems else preview(g.tenant, kind, form.subject.data or "", form.body.data or "")
            status = 400 if problems else 200
        else:
            try:
                changes = services.save_notification_text(g.tenant, kind, form.subject.data or "", form.body.data or "",
                                                          version_id=submitted_version(form.version_id.data),
                                                          actor=_actor())
            except services.SettingsError as exc:
                db.session.rollback()
                form.put_problems(exc.problems, {})
                status = 400
            else:
                return _saved(changes, ".notification_text", kind=kind)
    elif form.is_submitted():
        status = 400
    else:
        shown = preview(g.tenant, kind, subject, body)
    return render_template("settings/notification_text.html", form=form, kind=kind, label=KIND_LABELS.get(kind, kind),
                           allowed=allowed_placeholders(kind), shown=shown, default=DEFAULTS[kind],
                           overridden=kind in (g.tenant.notification_texts or {})), status


@bp.route("/notifications/<kind>/reset", methods=["POST"])
@role_required(Role.OPERATOR)
def reset_notification_text(kind: str):
    """Back to the default text of `kind` (the tenant's override is dropped, audited)."""
    kind = _kind_or_404(kind)
    if not VersionedForm().validate_on_submit():
        abort(400)
    changes = services.reset_notification_text(g.tenant, kind, actor=_actor())
    db.session.commit()
    flash(_("既定の文面に戻しました。") if changes else _("既定の文面のままです。"), "success")
    return redirect(url_for(".notification_text", kind=kind))


@bp.route("/tile-map", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def tile_map():
    """タイル地図: whether a layout is set (and how many municipalities it places), upload of a CSV
    (lg_code,row,col; validated: known lg_codes, one municipality per cell), download and clearing."""
    form = TileLayoutForm()
    if form.validate_on_submit():
        raw = form.file.data.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors = [_("UTF-8 のCSVファイルを選んでください。")]
        else:
            try:
                changes = services.save_tile_layout(g.tenant, text, actor=_actor())
            except services.SettingsError as exc:
                db.session.rollback()
                form.file.errors = [m for _k, m in exc.problems]
            else:
                return _saved(changes, ".tile_map")
    layout = g.tenant.tile_layout or []
    return render_template("settings/tile_map.html", form=form, count=len(layout), clear_form=VersionedForm()), \
        400 if form.is_submitted() else 200


@bp.route("/tile-map/clear", methods=["POST"])
@role_required(Role.OPERATOR)
def clear_tile_map():
    """Remove the layout: the map then lays municipalities out by region, marked 「未設定」."""
    if not VersionedForm().validate_on_submit():
        abort(400)
    changes = services.save_tile_layout(g.tenant, None, actor=_actor())
    return _saved(changes, ".tile_map")


@bp.route("/tile-map.csv")
@role_required(Role.OPERATOR)
def tile_map_csv():
    """The stored layout as CSV (lg_code,row,col), 404 when none is set."""
    from app.coverage.tile_map import layout_csv

    if not g.tenant.tile_layout:
        abort(404)
    return Response(layout_csv(g.tenant.tile_layout), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=tile_layout.csv"})
