"""Runs export jobs off the request path.

`run_export_job(tenant_id, job_id)` is the plain job function: inside an app context it scopes the
session to the tenant, streams the list into a write-only workbook under EXPORT_DIR, commits its
progress every EXPORT_PROGRESS_EVERY rows and ends the job done or failed. Web workers hand jobs to
a bounded in-process pool (`submit_export_job`: at most 2 threads, created on first use, never in
`create_app`); a scheduler process (issue 6) can instead drain queued jobs with `run_queued_jobs`.
"""
from __future__ import annotations

import logging
import os
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import sqlalchemy as sa

from app.auth.models import User
from app.exports import services
from app.exports.models import ExportJob
from app.exports.registry import ExportContext, get_export
from app.exports.states import ExportJobState
from app.extensions import db
from app.tenancy.models import Tenant
from app.tenancy.scoping import SYSTEM, tenant_scope

log = logging.getLogger(__name__)
MAX_WORKERS = 2
_executor: ThreadPoolExecutor | None = None
_lock = threading.Lock()
_futures: dict[int, Future] = {}


def run_export_job(tenant_id: int, job_id: int) -> ExportJob | None:
    """Run the queued job `job_id` of tenant `tenant_id` to the end (done or failed); commits.
    Returns the job, or None when there is no such queued job (already taken: idempotent)."""
    with tenant_scope(tenant_id):
        job = db.session.scalar(sa.select(ExportJob).where(
            ExportJob.id == job_id, ExportJob.tenant_id == tenant_id, ExportJob.state == ExportJobState.QUEUED))
        if job is None:
            return None
        services.transition_export_job(job, ExportJobState.RUNNING)
        db.session.commit()
        try:
            _build_file(job)
        except Exception as exc:  # any failure ends the job visibly instead of leaving it running
            log.exception("export job %s failed", job_id)
            db.session.rollback()
            services.transition_export_job(job, ExportJobState.FAILED, note=type(exc).__name__)
            job.error = "出力ファイルを作成できませんでした。"
            db.session.commit()
        return job


def _build_file(job: ExportJob) -> None:
    export = get_export(job.export_name)
    user = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    if user is None or not export.allowed(user):
        raise PermissionError("requester may no longer export this list")
    ctx = ExportContext(db.session.get(Tenant, job.tenant_id), user, dict(job.params))

    def progress(rows: int) -> None:
        job.rows_done = rows
        db.session.commit()

    workbook, rows = services.write_export(export, ctx, on_progress=progress)
    job.file_name = services.new_file_name()
    target = services.file_path(job)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = Path(str(target) + ".part")
    workbook.save(partial)
    os.replace(partial, target)
    job.rows_done = job.rows_total = rows
    services.transition_export_job(job, ExportJobState.DONE)
    db.session.commit()


def submit_export_job(app, tenant_id: int, job_id: int) -> Future | None:
    """Hand the committed job to the in-process pool; None when EXPORT_WORKERS is 0 (the job
    stays queued for `run_queued_jobs`)."""
    if not app.config["EXPORT_WORKERS"]:
        return None
    future = _pool().submit(_run_in_app, app, tenant_id, job_id)
    _futures[job_id] = future
    future.add_done_callback(lambda _f: _futures.pop(job_id, None))
    return future


def future_of(job_id: int) -> Future | None:
    """The pending future of a submitted job (tests wait on it), or None once finished."""
    return _futures.get(job_id)


def _pool() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=MAX_WORKERS, thread_name_prefix="export")
        return _executor


def _run_in_app(app, tenant_id: int, job_id: int) -> None:
    with app.app_context():
        try:
            run_export_job(tenant_id, job_id)
        finally:
            db.session.remove()


def run_queued_jobs(tenant_id: int | None = None, limit: int = 10) -> int:
    """Run up to `limit` queued jobs of tenant `tenant_id` (None: every tenant), oldest first — the
    `exports.run_queued` job when EXPORT_WORKERS is 0; returns how many were run. Needs an app context."""
    with tenant_scope(SYSTEM if tenant_id is None else tenant_id):
        stmt = sa.select(ExportJob.tenant_id, ExportJob.id).where(ExportJob.state == ExportJobState.QUEUED)
        if tenant_id is not None:
            stmt = stmt.where(ExportJob.tenant_id == tenant_id)
        queued = db.session.execute(stmt.order_by(ExportJob.id).limit(limit)).all()
    return sum(1 for owner_id, job_id in queued if run_export_job(owner_id, job_id) is not None)
