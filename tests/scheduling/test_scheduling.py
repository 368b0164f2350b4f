"""The job registry and runner: discovery, per-tenant isolation of failures, the ledger, and no
scheduler anywhere but `flask scheduler run`."""
import datetime as dt
import logging
import threading

import sqlalchemy as sa

from app import create_app
from app.core.clock import JST
from app.extensions import db
from app.auth.models import Role
from app.scheduling import REGISTRY, JobFailure, JobRun, build_scheduler, cron, discover, job, run_job, upcoming
from app.tenancy.models import Tenant
from tests import factories
from tests.conftest import in_tenant, login

NOW = dt.datetime(2025, 3, 31, 22, 30, tzinfo=dt.timezone.utc)  # 2025-04-01 07:30 JST: a new fiscal year


def test_discovery_finds_the_jobs_declared_in_domain_jobs_modules():
    assert {"calls.open_notices", "calls.closing_reminders", "notifications.deliver_outbox"} <= set(discover())


def test_create_app_starts_no_scheduler_thread(app):
    before = {t.name for t in threading.enumerate()}
    create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"], "SECRET_KEY": "x"})
    # The rate limiter's in-memory storage (development) expires its counters with a threading.Timer;
    # that is not a scheduler.
    started = {t.name for t in threading.enumerate() if not isinstance(t, threading.Timer)} - before
    assert not started, started
    assert not any("APScheduler" in t.name or "scheduler" in t.name.lower() for t in threading.enumerate())


def test_the_scheduler_has_explicit_defaults_and_every_job_plus_a_catch_up_run(app):
    scheduler = build_scheduler(app)
    ids = {j.id for j in scheduler.get_jobs()}
    assert set(discover()) <= ids and {f"{i}:catch-up" for i in discover()} <= ids
    assert str(scheduler.timezone) == "Asia/Tokyo"
    defaults = scheduler._job_defaults
    assert defaults["coalesce"] is True and defaults["max_instances"] == 1 and defaults["misfire_grace_time"] == 3600
    assert not scheduler.running


def _second_tenant(app) -> None:
    with app.app_context():
        db.session.add(Tenant(slug="second", name="第二の事業", prefecture="宮城県", office_name="課"))
        db.session.commit()


def test_a_failure_in_one_tenant_is_logged_and_the_others_still_run(app, caplog, monkeypatch):
    # Alembic's fileConfig (run by the test database template) disables loggers created before it.
    monkeypatch.setattr(logging.getLogger("app.scheduling"), "disabled", False)
    _second_tenant(app)
    calls = []

    @job("test.flaky", trigger=cron(hour=3), description="テスト")
    def flaky(tenant, now):
        calls.append(tenant.slug)
        if tenant.slug == "fukushima":
            raise RuntimeError("boom")
        return "ok"

    try:
        with app.app_context():
            outcomes = {o.tenant: o for o in run_job("test.flaky", now=NOW)}
    finally:
        REGISTRY.pop("test.flaky")
    assert outcomes["fukushima"].status == "failed" and outcomes["second"].status == "done"
    assert calls == ["fukushima", "second"]
    assert "test.flaky failed for tenant fukushima" in caplog.text
    with in_tenant(app, "second"):
        runs = db.session.execute(sa.select(JobRun.period_key, JobRun.summary)).all()
    assert runs == [("2025-04-01", "ok")]  # the JST date, not the UTC one; the failed tenant wrote no ledger row


def test_the_ledger_row_rolls_back_with_a_failed_effect_so_a_retry_runs(app):
    attempts = []

    @job("test.retry", trigger=cron(hour=3), description="テスト")
    def once_failing(tenant, now):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("transient")
        return "done"

    try:
        with app.app_context():
            first = run_job("test.retry", now=NOW, tenant_slugs=["fukushima"])[0]
            second = run_job("test.retry", now=NOW, tenant_slugs=["fukushima"])[0]
            third = run_job("test.retry", now=NOW, tenant_slugs=["fukushima"])[0]
    finally:
        REGISTRY.pop("test.retry")
    assert (first.status, second.status, third.status) == ("failed", "done", "skipped")


def test_upcoming_lists_next_fire_times_in_tokyo_and_calendar_dates(app):
    with in_tenant(app) as tenant:
        rows = {u.spec.id: u for u in upcoming(tenant, NOW)}
    assert rows["calls.open_notices"].next_run == dt.datetime(2025, 4, 2, 7, 0, tzinfo=JST)


def test_a_failed_run_is_recorded_without_its_traceback_and_a_later_success_still_runs(app, client):
    attempts = []

    @job("test.fails_once", trigger=cron(hour=3), description="テスト")
    def fails_once(tenant, now):
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("SMTP接続に失敗しました\nTraceback (most recent call last): secret detail")
        return "完了"

    try:
        with app.app_context():
            first = run_job("test.fails_once", now=NOW, tenant_slugs=["fukushima"])[0]
        with in_tenant(app):
            failures = db.session.execute(sa.select(JobFailure.job_id, JobFailure.period_key, JobFailure.error)).all()
        assert first.status == "failed"
        assert failures == [("test.fails_once", "2025-04-01", "RuntimeError: SMTP接続に失敗しました")]
        with in_tenant(app) as tenant:
            factories.user(tenant, Role.OPERATOR, "op@example.jp")
            db.session.commit()
        login(client, "op@example.jp")
        page = client.get("/t/fukushima/jobs").get_data(as_text=True)
        assert "失敗" in page and "SMTP接続に失敗しました" in page and "Traceback" not in page and "その後成功" not in page
        with app.app_context():
            assert run_job("test.fails_once", now=NOW, tenant_slugs=["fukushima"])[0].status == "done"
        page = client.get("/t/fukushima/jobs").get_data(as_text=True)
        assert "その後成功" in page
    finally:
        REGISTRY.pop("test.fails_once")


def test_every_calendar_job_lists_its_upcoming_runs(app):
    """Jobs acting on dates show them on /jobs; only the drains that run every few minutes have none."""
    undated = {spec.id for spec in discover().values() if spec.planned is None}
    assert undated <= {"notifications.deliver_outbox", "surveys.requests", "exports.run_queued"}, undated
    with in_tenant(app) as tenant:
        rows = {u.spec.id: u for u in upcoming(tenant, NOW)}
    monday = rows["home.weekly_digest"].planned[0][0]
    assert monday == dt.date(2025, 4, 7) and monday.weekday() == 0
