"""Import services: the dry run (`preview_import`) and the all-or-nothing apply (`confirm_import`).

An upload is opened safely (`readers.open_workbook`), every row validated by its importer, and the
outcome kept as an `ImportRun`: PREVIEWED with the bytes stored under `<instance>/imports/<random>.xlsx`
(outside the web root; never the user's file name) when there are no errors, else FAILED with the
errors and nothing stored. Confirmation re-reads the stored bytes (sha256 checked), re-validates them
against the database as it is now and applies them, or fails with the new errors. Services flush,
never commit; the view commits once, or rolls back everything when `apply` raises. Every preview
and apply is audited (`import.preview`, `import.transition`, `import.apply`).
"""
from __future__ import annotations

import hashlib
import secrets
from pathlib import Path
from types import ModuleType

from app.core.audit import apply_transition, record_audit, record_transition
from app.core.db import utcnow
from app.core.states import check_transition
from app.extensions import db
from app.imports import bodies, menu_items, municipalities, needs_answers, past_engagements, providers
from app.imports.models import ImportRun
from app.imports.plans import ImportPlan
from app.imports.readers import DEFAULT_MAX_BYTES, ImportFileError, open_workbook
from app.imports.states import TRANSITIONS, ImportKind, ImportState

IMPORTERS: dict[ImportKind, ModuleType] = {
    ImportKind.MUNICIPALITIES: municipalities,
    ImportKind.MENU_ITEMS: menu_items,
    ImportKind.PAST_ENGAGEMENTS: past_engagements,
    ImportKind.NEEDS_ANSWERS: needs_answers,
    ImportKind.PROVIDERS: providers,
    ImportKind.BODIES: bodies,
}


def plan_import(tenant, kind: ImportKind, data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportPlan:
    """Open `data` safely and validate it with the importer of `kind` (nothing is written).

    A file that cannot be opened gives a plan whose only error is the `ImportFileError` message.
    """
    try:
        workbook = open_workbook(data, max_bytes)
    except ImportFileError as exc:
        return ImportPlan(sheet="", errors=[str(exc)])
    try:
        return IMPORTERS[kind].plan(workbook, tenant)
    finally:
        workbook.close()


def preview_import(tenant, kind: ImportKind, data: bytes, *, filename: str, actor, storage_dir: str,
                   max_bytes: int = DEFAULT_MAX_BYTES) -> ImportRun:
    """The dry run of an upload: an `ImportRun` PREVIEWED (bytes stored for confirmation) or FAILED
    (errors; nothing stored). No data of `kind` is written. `filename` is only displayed."""
    result = plan_import(tenant, kind, data, max_bytes=max_bytes)
    state = ImportState.FAILED if result.errors else ImportState.PREVIEWED
    run = ImportRun(tenant_id=tenant.id, kind=kind, state=state, filename=(filename or "")[:200], size_bytes=len(data),
                    sha256=hashlib.sha256(data).hexdigest(), summary=result.summary(), errors=result.errors[:500],
                    created_by_id=getattr(actor, "id", None))
    if state == ImportState.PREVIEWED:
        run.stored_name = _store(data, storage_dir)
    db.session.add(run)
    db.session.flush()
    record_transition("import", run, None, state, actor=actor)
    record_audit("import.preview", tenant_id=tenant.id, actor=actor, target=run,
                 changes={"kind": kind.value, "sha256": run.sha256, "errors": len(result.errors),
                          **{k: run.summary[k] for k in ("new", "updated", "unchanged")}})
    return run


def confirm_import(run: ImportRun, tenant, *, actor, storage_dir: str, max_bytes: int = DEFAULT_MAX_BYTES) -> ImportRun:
    """Re-validate the stored upload of a PREVIEWED run and apply it, all or nothing.

    APPLIED: every change written (flushed) and audited. FAILED: errors found now (data changed since
    the preview, or the stored file is missing or altered); nothing written. Raises `TransitionError`
    unless the run is PREVIEWED (a second confirmation).
    """
    check_transition("import", TRANSITIONS, run.state, ImportState.APPLIED)
    data = _load(run, storage_dir)
    result = plan_import(tenant, run.kind, data, max_bytes=max_bytes) if data is not None else ImportPlan(
        sheet="", errors=["保存したファイルが見つからないか、内容が変わっています。もう一度アップロードしてください"])
    run.summary = result.summary()
    if result.errors:
        run.errors = result.errors[:500]
        return transition_import_run(run, ImportState.FAILED, actor=actor, note="確認時の再検証でエラー")
    written = IMPORTERS[run.kind].apply(result, tenant, actor=actor)
    run.applied_at = utcnow()
    transition_import_run(run, ImportState.APPLIED, actor=actor)
    record_audit("import.apply", tenant_id=tenant.id, actor=actor, target=run,
                 changes={"kind": run.kind.value, **{k: run.summary[k] for k in ("new", "updated", "unchanged")}, **written})
    return run


def transition_import_run(run: ImportRun, to_state: ImportState, *, actor, note: str = "") -> ImportRun:
    """Move an import run along `TRANSITIONS` (the only place that assigns `ImportRun.state`):
    edge check (`TransitionError`), state set, history row and audit event."""
    check_transition("import", TRANSITIONS, run.state, to_state)
    return apply_transition("import", run, to_state, actor=actor, note=note)


def _store(data: bytes, storage_dir: str) -> str:
    folder = Path(storage_dir)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{secrets.token_hex(16)}.xlsx"
    (folder / name).write_bytes(data)
    return name


def _load(run: ImportRun, storage_dir: str) -> bytes | None:
    """The stored bytes of `run`, or None when missing or not matching the recorded sha256."""
    path = Path(storage_dir) / run.stored_name
    if not run.stored_name or not path.is_file():
        return None
    data = path.read_bytes()
    return data if hashlib.sha256(data).hexdigest() == run.sha256 else None
