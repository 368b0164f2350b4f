"""Jobs of the exports domain: run queued export jobs in the scheduler process when the web
workers run none themselves (EXPORT_WORKERS = 0, e.g. web workers that must stay small)."""
from __future__ import annotations

import datetime as dt

from flask import current_app

from app.exports.runner import run_queued_jobs
from app.scheduling import every, job


@job("exports.run_queued", trigger=every(minutes=1), period=None, description="Excel出力ジョブの実行")
def run_queued(tenant, now: dt.datetime) -> str:
    """Run the tenant's queued export jobs — only when EXPORT_WORKERS is 0; otherwise the web
    process's pool runs them and this job leaves them alone (a job must never run twice)."""
    if current_app.config["EXPORT_WORKERS"]:
        return "Webプロセスで実行（対象外）"
    return f"Excel出力 {run_queued_jobs(tenant.id)}件"
