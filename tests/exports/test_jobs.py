"""Long exports run as jobs off the request path: progress page, the plain job function, the
bounded in-process pool, and downloads for the requester and operators only."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.core.db import utcnow
from app.exports.models import ExportJob
from app.exports.runner import future_of, run_export_job, run_queued_jobs
from app.exports.states import ExportJobState
from app.extensions import db
from tests.conftest import in_tenant
from tests.exports.test_views import T, rows_of

REFRESH = '<meta http-equiv="refresh" content="2">'


def _request_job(app, client, url: str = f"{T}/exports/engagements.xlsx?fiscal_year=2025", workers: int = 0) -> int:
    app.config.update(EXPORT_SYNC_MAX_ROWS=0, EXPORT_WORKERS=workers, EXPORT_PROGRESS_EVERY=1)
    response = client.get(url)
    assert response.status_code == 302
    return int(response.headers["Location"].rsplit("/", 1)[1])


def _job(app, job_id: int) -> ExportJob:
    with in_tenant(app):
        job = db.session.scalar(sa.select(ExportJob).where(ExportJob.id == job_id))
        db.session.expunge(job)
        return job


def _run(app, job_id: int) -> None:
    with in_tenant(app) as tenant:
        run_export_job(tenant.id, job_id)


def test_a_long_export_becomes_a_job_with_progress_and_a_download(app, world, as_user):
    operator = as_user("operator")
    job_id = _request_job(app, operator)
    queued = operator.get(f"{T}/exports/jobs/{job_id}").get_data(as_text=True)
    assert REFRESH in queued and "<progress" in queued and "0%" in queued and "待機中" in queued
    assert operator.get(f"{T}/exports/jobs/{job_id}/download").status_code == 302  # not ready: back to the page
    _run(app, job_id)
    job = _job(app, job_id)
    assert (job.state, job.rows_done, job.rows_total, job.params) == (ExportJobState.DONE, 1, 1, {"fiscal_year": "2025"})
    done = operator.get(f"{T}/exports/jobs/{job_id}").get_data(as_text=True)
    assert REFRESH not in done and 'value="100"' in done and "100%" in done and f"/exports/jobs/{job_id}/download" in done
    assert [r[0] for r in rows_of(operator.get(f"{T}/exports/jobs/{job_id}/download"))] == [2025]
    with in_tenant(app):
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.target_type == "export_jobs")).all()
    assert actions.count("export.requested") == 1 and actions.count("export.download") == 1
    assert actions.count("export_job.transition") == 2  # queued → running → done


def test_only_the_requester_and_operators_reach_a_job(app, world, as_user):
    job_id = _request_job(app, as_user("municipal_B"))
    _run(app, job_id)
    assert rows_of(as_user("municipal_B").get(f"{T}/exports/jobs/{job_id}/download"))
    assert rows_of(as_user("operator").get(f"{T}/exports/jobs/{job_id}/download"))
    for subject in ("municipal_A", "provider_Q", "reviewer_office"):
        client = as_user(subject)
        assert client.get(f"{T}/exports/jobs/{job_id}").status_code == 404, subject
        assert client.get(f"{T}/exports/jobs/{job_id}/download").status_code == 404, subject


def test_the_pool_runs_the_job_and_writes_outside_the_web_root(app, world, as_user):
    operator = as_user("operator")
    job_id = _request_job(app, operator, f"{T}/exports/engagements.xlsx", workers=2)
    future = future_of(job_id)
    if future is not None:  # None when the worker already finished
        future.result(timeout=60)
    job = _job(app, job_id)
    assert job.state == ExportJobState.DONE and job.rows_done == 2
    path = Path(app.config["EXPORT_DIR"]) / job.file_name
    assert path.is_file() and "static" not in path.parts and len(job.file_name) == 37
    assert len(rows_of(operator.get(f"{T}/exports/jobs/{job_id}/download"))) == 2


def test_expired_and_failed_jobs_offer_no_download(app, world, as_user):
    operator = as_user("operator")
    job_id = _request_job(app, operator)
    _run(app, job_id)
    with in_tenant(app):
        db.session.execute(sa.update(ExportJob).where(ExportJob.id == job_id).values(expires_at=utcnow() - dt.timedelta(seconds=1)))
        broken = ExportJob(tenant_id=db.session.scalar(sa.select(ExportJob.tenant_id)), export_name="no-such-list",
                           requested_by_id=_job(app, job_id).requested_by_id, expires_at=utcnow() + dt.timedelta(days=1))
        db.session.add(broken)
        db.session.commit()
        broken_id = broken.id
    assert operator.get(f"{T}/exports/jobs/{job_id}/download").status_code == 302
    assert "期限が過ぎました" in operator.get(f"{T}/exports/jobs/{job_id}").get_data(as_text=True)
    with app.app_context():
        assert run_queued_jobs() == 1
    assert _job(app, broken_id).state == ExportJobState.FAILED
    page = operator.get(f"{T}/exports/jobs/{broken_id}").get_data(as_text=True)
    assert "失敗" in page and REFRESH not in page


def test_the_scheduler_runs_queued_jobs_only_when_web_workers_run_none(app, world, as_user):
    from app.scheduling import run_job

    job_id = _request_job(app, as_user("operator"), workers=0)
    app.config["EXPORT_WORKERS"] = 2  # the web pool owns its jobs: the scheduler must not take them too
    with app.app_context():
        run_job("exports.run_queued", tenant_slugs=["fukushima"])
    assert _job(app, job_id).state == ExportJobState.QUEUED
    app.config["EXPORT_WORKERS"] = 0
    with app.app_context():
        outcomes = run_job("exports.run_queued", tenant_slugs=["fukushima"])
    assert [o.summary for o in outcomes] == ["Excel出力 1件"]
    assert _job(app, job_id).state == ExportJobState.DONE
