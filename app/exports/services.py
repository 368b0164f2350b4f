"""Services of Excel out: write a registered list into a workbook, audit exports, and move export
jobs through their states (queued → running → done / failed). They flush, never commit; the view
and the job runner (app.exports.runner) commit.

Settings (app.config, `app/config.py`): `EXPORT_SYNC_MAX_ROWS` (2,000: longer lists become jobs),
`EXPORT_WORKERS` (2; 0 leaves jobs queued for a separate process to drain), `EXPORT_DIR`
(`instance/exports`, outside the web root), `EXPORT_TTL_HOURS` (24), `EXPORT_PROGRESS_EVERY` (200 rows).
"""
from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable, Mapping
from pathlib import Path

from flask import current_app

from app.core.audit import apply_transition, record_audit
from app.core.clock import now_utc, today_jst
from app.core.excel import new_workbook, write_sheet
from app.core.states import check_transition
from app.exports.models import ExportJob
from app.exports.registry import ExportContext, ListExport
from app.exports.states import TRANSITIONS, ExportJobState
from app.extensions import db

MAX_PARAMS, MAX_PARAM_LENGTH = 20, 200


def setting(name: str):
    """An export setting (EXPORT_*) of the app config (`app/config.py`)."""
    return current_app.config[name]


def clean_params(args: Mapping[str, str]) -> dict[str, str]:
    """The list page's query string as `{name: value}` to store with an export: `page` dropped,
    at most 20 parameters of at most 200 characters (first value of repeated names)."""
    items = [(str(k)[:40], str(v)[:MAX_PARAM_LENGTH]) for k, v in args.items() if k != "page"]
    return dict(items[:MAX_PARAMS])


def export_filename(export: ListExport) -> str:
    """`<Japanese title>_<JST date YYYYMMDD>.xlsx`."""
    return f"{export.label}_{today_jst():%Y%m%d}.xlsx"


def write_export(export: ListExport, ctx: ExportContext, on_progress: Callable[[int], None] | None = None):
    """A write-only workbook holding one sheet (named after the export) of the list's rows for
    `ctx`. Returns `(workbook, rows_written)`; save it once (core.excel)."""
    workbook = new_workbook()
    columns = export.columns_for(ctx)
    sheet = workbook.create_sheet(export.label[:31])
    rows = write_sheet(sheet, [c.header for c in columns], export.rows(ctx), [c.width for c in columns],
                       on_progress=on_progress, every=setting("EXPORT_PROGRESS_EVERY"))
    return workbook, rows


def audit_export(export: ListExport, ctx: ExportContext, rows: int, *, actor, job: ExportJob | None = None) -> None:
    """Audit one delivered export: who (actor), which list, its filters and the row count."""
    record_audit("export.download", tenant_id=ctx.tenant.id, actor=actor, target=job,
                 changes={"export": export.name, "params": ctx.params, "rows": rows})


def create_export_job(export: ListExport, ctx: ExportContext, rows_total: int, *, actor) -> ExportJob:
    """A queued job exporting `export` for `ctx` (expected `rows_total` rows), requested by
    `actor`; audited as `export.requested`. The caller commits, then hands it to the runner."""
    job = ExportJob(tenant_id=ctx.tenant.id, export_name=export.name, params=dict(ctx.params), rows_total=rows_total,
                    requested_by_id=actor.id, expires_at=now_utc() + dt.timedelta(hours=setting("EXPORT_TTL_HOURS")))
    db.session.add(job)
    db.session.flush()
    record_audit("export.requested", tenant_id=ctx.tenant.id, actor=actor, target=job,
                 changes={"export": export.name, "params": ctx.params, "rows": rows_total})
    return job


def transition_export_job(job: ExportJob, to_state: ExportJobState, *, note: str = "") -> ExportJob:
    """Move `job` to `to_state` (TRANSITIONS; raises TransitionError otherwise). Side effects in
    order: started_at (running) or finished_at (done, failed) is set, then the history row and the
    audit event are written (actor: system)."""
    check_transition("export_job", TRANSITIONS, job.state, to_state)
    if to_state == ExportJobState.RUNNING:
        job.started_at = now_utc()
    else:
        job.finished_at = now_utc()
    return apply_transition("export_job", job, to_state, actor=None, note=note)


def new_file_name() -> str:
    """A random file name for an export file (never derived from user input)."""
    return secrets.token_hex(16) + ".xlsx"


def file_path(job: ExportJob) -> Path:
    """Where the file of `job` lives (under EXPORT_DIR)."""
    return Path(setting("EXPORT_DIR")) / job.file_name


def is_expired(job: ExportJob) -> bool:
    """True once `job`'s file may no longer be downloaded."""
    return now_utc() >= job.expires_at
