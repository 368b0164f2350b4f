"""Views of Excel out (routes under /t/<tenant_slug>/exports/): one download route per registered
list (`/exports/<name>.xlsx?<the list page's query string>`), the progress page of an export job
and the download of its file."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import is_member, role_required
from app.auth.sessions import recent_auth_required
from app.core.excel import XLSX_MIMETYPE, workbook_response
from app.core.web import get_visible_or_404
from app.exports import services
from app.exports.models import ExportJob
from app.exports.permissions import can_view_export_job
from app.exports.registry import ExportContext, ExportNotFound, ListExport, load_all
from app.exports.runner import submit_export_job
from app.exports.states import ExportJobState
from app.extensions import db

bp = Blueprint("exports", __name__, url_prefix="/t/<tenant_slug>")
MEMBERS = (Role.OPERATOR, Role.REVIEWER, Role.MUNICIPAL, Role.PROVIDER)


def download(export: ListExport):
    """Export the list with the filters of its page's query string: a direct .xlsx download up
    to EXPORT_SYNC_MAX_ROWS rows, otherwise a background job and its progress page. Audited."""
    member = is_member(current_user, g.tenant)
    if not export.allowed(current_user if member else None):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        abort(404)
    ctx = ExportContext(g.tenant, current_user if member else None, services.clean_params(request.args))
    try:
        total = export.count(ctx)
        if total <= services.setting("EXPORT_SYNC_MAX_ROWS") or not member:
            return _direct(export, ctx)
    except ExportNotFound:
        abort(404)
    job = services.create_export_job(export, ctx, total, actor=current_user)
    db.session.commit()
    submit_export_job(current_app._get_current_object(), g.tenant.id, job.id)
    return redirect(url_for("exports.job", job_id=job.id))


def _direct(export: ListExport, ctx: ExportContext):
    workbook, rows = services.write_export(export, ctx)
    services.audit_export(export, ctx, rows, actor=ctx.user)
    db.session.commit()
    return workbook_response(workbook, services.export_filename(export))


def _view_for(export: ListExport):
    def view():
        return download(export)

    view.__name__ = view.__qualname__ = f"list_{export.name}"
    view.__doc__ = f"Download the list {export.name} as .xlsx (see `download`)."
    return view


for _export in load_all().values():
    bp.add_url_rule(f"/exports/{_export.name}.xlsx", endpoint=f"list_{_export.name}", view_func=recent_auth_required(_view_for(_export)))


def _load(job_id: int) -> ExportJob:
    return get_visible_or_404(ExportJob, job_id, can_view_export_job)


@bp.route("/exports/jobs/<int:job_id>")
@role_required(*MEMBERS)
def job(job_id: int):
    """Progress of an export job (refreshes itself every 2 seconds until done), then its download link."""
    export_job = _load(job_id)
    titles = {name: e.label for name, e in load_all().items()}
    return render_template("exports/job.html", job=export_job, title=titles.get(export_job.export_name, export_job.export_name),
                           States=ExportJobState, expired=services.is_expired(export_job))


@bp.route("/exports/jobs/<int:job_id>/download")
@role_required(*MEMBERS)
def job_download(job_id: int):
    """The finished file of an export job (requester or operator; never cached); audited."""
    export_job = _load(job_id)
    path = services.file_path(export_job) if export_job.file_name else None
    if export_job.state != ExportJobState.DONE or services.is_expired(export_job) or path is None or not path.is_file():
        flash(_("このファイルはダウンロードできません。"), "error")
        return redirect(url_for("exports.job", job_id=export_job.id))
    export = load_all().get(export_job.export_name)
    ctx = ExportContext(g.tenant, current_user, dict(export_job.params))
    services.audit_export(export, ctx, export_job.rows_done, actor=current_user, job=export_job)
    db.session.commit()
    response = send_file(path, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=services.export_filename(export))
    response.headers["Cache-Control"] = "no-store"
    return response
