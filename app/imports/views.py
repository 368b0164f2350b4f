"""Operator pages of Excel取込 (routes under /t/<tenant_slug>/imports): templates, upload → dry-run
preview → 「取り込む」 → result, and the import history. Other roles get 404."""
from __future__ import annotations


from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.core.audit import history_for, record_audit
from app.core.excel import workbook_response
from app.core.states import TransitionError
from app.core.web import PAGE_ARG, get_visible_or_404
from app.extensions import db
from app.imports import queries, services
from app.imports.forms import ConfirmForm, UploadForm
from app.imports.models import ImportRun
from app.imports.permissions import can_manage_imports
from app.imports.states import ImportKind, ImportState

bp = Blueprint("imports", __name__, url_prefix="/t/<tenant_slug>")


def _storage_dir() -> str:
    return current_app.config["IMPORT_STORAGE_DIR"]


def _max_bytes() -> int:
    return current_app.config["IMPORT_MAX_BYTES"]


def _render_index(form: UploadForm, status: int = 200):
    page = queries.import_history(g.tenant, page=request.args.get("page", 1, type=PAGE_ARG))
    return render_template("imports/index.html", form=form, page=page, kinds=list(ImportKind),
                           max_mb=_max_bytes() // (1024 * 1024)), status


@bp.route("/imports")
@role_required(Role.OPERATOR)
def index():
    """Templates to download, the upload form and the history of imports; `?kind=` preselects
    what to import (links from 組織管理)."""
    kind = request.args.get("kind", "")
    return _render_index(UploadForm(kind=kind) if kind in {k.value for k in ImportKind} else UploadForm())


@bp.route("/imports/template")
@role_required(Role.OPERATOR)
def template():
    """The .xlsx template of `?kind=` (Japanese headers and a 記入方法 sheet)."""
    kind = request.args.get("kind", "")
    if kind not in {k.value for k in ImportKind}:
        abort(404)
    importer = services.IMPORTERS[ImportKind(kind)]
    return workbook_response(importer.template(g.tenant), f"取込テンプレート_{ImportKind(kind).label}.xlsx")


@bp.route("/imports", methods=["POST"])
@role_required(Role.OPERATOR)
def upload():
    """Dry run of an uploaded workbook: nothing is imported yet; shows what would change."""
    form = UploadForm()
    if not form.validate_on_submit():
        return _render_index(form, 400)
    data = form.file.data.read(_max_bytes() + 1)
    run = services.preview_import(g.tenant, ImportKind(form.kind.data), data, filename=form.file.data.filename or "",
                                  actor=current_user, storage_dir=_storage_dir(), max_bytes=_max_bytes())
    db.session.commit()
    return redirect(url_for("imports.detail", run_id=run.id))


@bp.route("/imports/<int:run_id>")
@role_required(Role.OPERATOR)
def detail(run_id: int):
    """Preview (with 「取り込む」) or result of one import, its errors and history."""
    run = get_visible_or_404(ImportRun, run_id, can_manage_imports)
    return render_template("imports/detail.html", run=run, form=ConfirmForm(), states=ImportState,
                           timeline=history_for("import", run.id))


@bp.route("/imports/<int:run_id>/confirm", methods=["POST"])
@role_required(Role.OPERATOR)
def confirm(run_id: int):
    """Re-validate the stored upload and apply it in one transaction (all or nothing)."""
    run = get_visible_or_404(ImportRun, run_id, can_manage_imports)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        services.confirm_import(run, g.tenant, actor=current_user, storage_dir=_storage_dir(), max_bytes=_max_bytes())
        db.session.commit()
    except TransitionError:
        raise  # a second confirmation: 409 page, nothing written
    except Exception:
        db.session.rollback()  # nothing of the import stays; the run records the failure
        current_app.logger.exception("import %s failed while applying", run_id)
        _record_crash(run_id)
        raise
    if run.state == ImportState.APPLIED:
        flash(_("取り込みました。"), "success")
    else:
        flash(_("エラーがあったため、取り込みませんでした（データは変更されていません）。"), "error")
    return redirect(url_for("imports.detail", run_id=run.id))


def _record_crash(run_id: int) -> None:
    run = get_visible_or_404(ImportRun, run_id, can_manage_imports)
    if run.state == ImportState.PREVIEWED:
        run.errors = [_("取り込み中に問題が発生したため、何も取り込みませんでした。")]
        services.transition_import_run(run, ImportState.FAILED, actor=current_user, note="取り込み中のエラー")
        record_audit("import.error", tenant_id=run.tenant_id, actor=current_user, target=run)
        db.session.commit()
