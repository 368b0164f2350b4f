"""Job registry, run ledger and the scheduler process (architecture.md, Jobs).

Each domain declares its jobs in its `jobs.py` with a stable id and a trigger::

    @job("calls.open_notices", trigger=cron(hour=7), description="募集開始のお知らせ")
    def open_notices(tenant, now): ...  # returns a short Japanese summary

`discover()` imports every `app/*/jobs.py`. `run_job()` runs a job for each active tenant, each in its
own app context and session, scoped to that tenant; a failure in one tenant is logged and the
others still run. Jobs with a `period` ("day": the JST date of `now`) write a `JobRun` ledger row in
the same transaction as their effect; its unique key (job, tenant, period) — plus
`pg_advisory_xact_lock` on PostgreSQL — makes a second scheduler, a retry or a restart a no-op.
The process also writes a `ProcessHeartbeat` every minute, which `/readyz` checks.
A failed run writes no ledger row (its effect rolled back, so a retry still runs) but a `JobFailure`
row in a transaction of its own, listed on the operator's /jobs page with the first line of the error.
The APScheduler process is started only by `flask scheduler run` (below), never
in `create_app` or a web worker; it runs every job once at start-up to catch up a missed run.
"""
from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import logging
import pkgutil
import signal
from collections.abc import Callable
from dataclasses import dataclass, field

import click
import sqlalchemy as sa
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import JST, now_utc, to_jst
from app.core.db import Base, TenantScoped, utcnow
from app.extensions import db
from app.tenancy.models import Tenant
from app.tenancy.states import RUNNING_STATUSES
from app.tenancy.scoping import tenant_scope

log = logging.getLogger(__name__)


class JobRun(TenantScoped, Base):
    """The run ledger: one row per (job, tenant, period) that took effect, written in the same
    transaction as the effect. `scheduled_for` is the `now` the job computed with (UTC)."""

    __tablename__ = "job_runs"
    __table_args__ = (
        sa.UniqueConstraint("job_id", "tenant_id", "period_key"),
        sa.Index("ix_job_runs_tenant_started", "tenant_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(sa.String(100))
    period_key: Mapped[str] = mapped_column(sa.String(40))  # e.g. "2025-05-16" (JST date)
    scheduled_for: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    summary: Mapped[str] = mapped_column(sa.String(500), default="")


class JobFailure(TenantScoped, Base):
    """A run that raised: job, period, when, and the first line of the error (no traceback; the log
    has it). Not part of the ledger's unique key, so the failure never blocks a retry."""

    __tablename__ = "job_failures"
    __table_args__ = (sa.Index("ix_job_failures_tenant_failed", "tenant_id", "failed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(sa.String(100))
    period_key: Mapped[str | None] = mapped_column(sa.String(40))
    scheduled_for: Mapped[dt.datetime]
    failed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    error: Mapped[str] = mapped_column(sa.String(500), default="")


class ProcessHeartbeat(Base):
    """The last sign of life of a background process kind ("scheduler"), written every
    `HEARTBEAT_SECONDS` by that process; `/readyz` (app/ops/health.py) fails when it is older than
    `HEARTBEAT_STALE_SECONDS`. One row per kind: with two schedulers the freshest write wins, and
    the page only asks whether any is alive. Not tenant data."""

    __tablename__ = "process_heartbeats"

    name: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    beat_at: Mapped[dt.datetime]
    host: Mapped[str] = mapped_column(sa.String(100), default="")
    pid: Mapped[int] = mapped_column(default=0)


HEARTBEAT_SECONDS = 60
SCHEDULER_HEARTBEAT = "scheduler"


def write_heartbeat(name: str = SCHEDULER_HEARTBEAT, *, now: dt.datetime | None = None) -> None:
    """Record that process kind `name` is alive now (this host and pid). Commits (called by the
    scheduler process on its own, outside any request or job transaction)."""
    import os
    import socket

    now = now or now_utc()
    row = db.session.get(ProcessHeartbeat, name)
    if row is None:
        row = ProcessHeartbeat(name=name, beat_at=now)
        db.session.add(row)
    row.beat_at, row.host, row.pid = now, socket.gethostname()[:100], os.getpid()
    try:
        db.session.commit()
    except IntegrityError:  # a second scheduler inserted the row at the same moment: update it
        db.session.rollback()
        db.session.execute(sa.update(ProcessHeartbeat).where(ProcessHeartbeat.name == name)
                           .values(beat_at=now, host=socket.gethostname()[:100], pid=os.getpid()))
        db.session.commit()


def error_line(exc: BaseException) -> str:
    """`"<ExceptionType>: <first line of the message>"`, at most 500 characters."""
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}"[:500]


def cron(**fields) -> CronTrigger:
    """A cron trigger in Asia/Tokyo (e.g. `cron(hour=7)`: every day at 07:00 JST)."""
    return CronTrigger(timezone=JST, **fields)


def every(**interval) -> IntervalTrigger:
    """An interval trigger (e.g. `every(minutes=1)`)."""
    return IntervalTrigger(timezone=JST, **interval)


@dataclass(frozen=True)
class JobSpec:
    """A registered job. `func(tenant, now) -> summary`; `planned(tenant, now) -> [(date, label)]`
    lists calendar dates on which it will act (for the operator page); `period` "day" or None;
    `preview(tenant, now) -> [Batch]` the bulk notices it will send (app/notifications/bulk.py)."""

    id: str
    func: Callable
    trigger: object
    description: str
    period: str | None = "day"
    planned: Callable | None = None
    preview: Callable | None = None


REGISTRY: dict[str, JobSpec] = {}


def job(job_id: str, *, trigger, description: str, period: str | None = "day", planned: Callable | None = None,
        preview: Callable | None = None):
    """Register the decorated `func(tenant, now)` as job `job_id` (ids are stable: the ledger uses them)."""
    def register(func):
        REGISTRY[job_id] = JobSpec(job_id, func, trigger, description, period, planned, preview)
        return func
    return register


def discover() -> dict[str, JobSpec]:
    """Import every `app/<package>/jobs.py` and return the registry."""
    import app as package

    for info in pkgutil.iter_modules(package.__path__):
        if info.ispkg and importlib.util.find_spec(f"app.{info.name}.jobs") is not None:
            importlib.import_module(f"app.{info.name}.jobs")
    return REGISTRY


def period_key(spec: JobSpec, now: dt.datetime) -> str | None:
    """The ledger key of a run at `now`: the JST date for "day" jobs, None for unledgered jobs."""
    return to_jst(now).date().isoformat() if spec.period == "day" else None


@dataclass
class JobOutcome:
    """What one run did in one tenant: status "done", "skipped" (already run) or "failed"."""

    tenant: str
    status: str
    summary: str = ""


def _take_ledger(spec: JobSpec, tenant: Tenant, now: dt.datetime) -> JobRun | None:
    key = period_key(spec, now)
    if db.engine.dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"), {"k": f"{spec.id}|{tenant.id}|{key}"})
    exists = db.session.scalar(sa.select(JobRun.id).where(
        JobRun.tenant_id == tenant.id, JobRun.job_id == spec.id, JobRun.period_key == key))
    if exists:
        return None
    run = JobRun(tenant_id=tenant.id, job_id=spec.id, period_key=key, scheduled_for=now)
    db.session.add(run)
    db.session.flush()
    return run


def run_for_tenant(spec: JobSpec, tenant: Tenant, now: dt.datetime) -> JobOutcome:
    """Run `spec` once for `tenant` in the current session (ledger row + effect in one commit)."""
    try:
        with tenant_scope(tenant.id):
            run = _take_ledger(spec, tenant, now) if spec.period else None
            if spec.period and run is None:
                db.session.rollback()
                return JobOutcome(tenant.slug, "skipped", "この期間は実行済み")
            summary = str(spec.func(tenant, now) or "")
            if run is not None:
                run.summary = summary[:500]
            db.session.commit()
            return JobOutcome(tenant.slug, "done", summary)
    except IntegrityError:  # another scheduler took the same ledger key first
        db.session.rollback()
        return JobOutcome(tenant.slug, "skipped", "他のプロセスが実行済み")
    except Exception as exc:  # noqa: BLE001 - one tenant's failure must not stop the others
        db.session.rollback()
        log.exception("job %s failed for tenant %s", spec.id, tenant.slug)
        record_failure(spec, tenant, now, exc)
        return JobOutcome(tenant.slug, "failed", error_line(exc))


def record_failure(spec: JobSpec, tenant: Tenant, now: dt.datetime, exc: BaseException) -> None:
    """Commit a `JobFailure` row for a run that raised (after its rollback). A failure to record it
    is logged, never raised: the other tenants must still run."""
    try:
        with tenant_scope(tenant.id):
            db.session.add(JobFailure(tenant_id=tenant.id, job_id=spec.id, period_key=period_key(spec, now),
                                      scheduled_for=now, error=error_line(exc)))
            db.session.commit()
    except Exception:  # noqa: BLE001
        db.session.rollback()
        log.exception("could not record the failure of job %s for tenant %s", spec.id, tenant.slug)


def _tenant_ids(slugs: list[str] | None) -> list[int]:
    # 停止中 and 終了 tenants are skipped: none of their jobs run and their outbox sends nothing.
    stmt = sa.select(Tenant.id).where(Tenant.status.in_(RUNNING_STATUSES)).order_by(Tenant.id)
    if slugs:
        stmt = stmt.where(Tenant.slug.in_(slugs))
    return list(db.session.scalars(stmt))


def run_job(job_id: str, *, now: dt.datetime | None = None, tenant_slugs: list[str] | None = None) -> list[JobOutcome]:
    """Run job `job_id` at `now` (default: the clock) for the given tenants (default: all), skipping
    停止中 and 終了 tenants (`RUNNING_STATUSES`),
    each in its own app context and session. Raises `KeyError` for an unknown job id."""
    spec = discover()[job_id]
    now = now or now_utc()
    app = current_app._get_current_object()
    outcomes = []
    for tenant_id in _tenant_ids(tenant_slugs):
        with app.app_context():
            tenant = db.session.get(Tenant, tenant_id)
            outcomes.append(run_for_tenant(spec, tenant, now))
            db.session.remove()
    return outcomes


@dataclass
class Upcoming:
    """A job's next fire time (JST) and the calendar dates it will act on for one tenant."""

    spec: JobSpec
    next_run: dt.datetime | None
    planned: list[tuple[dt.date, str]] = field(default_factory=list)


def upcoming(tenant, now: dt.datetime) -> list[Upcoming]:
    """Every registered job with its next fire time after `now` and its planned dates for `tenant`."""
    rows = []
    for spec in sorted(discover().values(), key=lambda s: s.id):
        next_run = spec.trigger.get_next_fire_time(None, to_jst(now))
        planned = sorted(d for d in spec.planned(tenant, now) if d[0] >= to_jst(now).date()) if spec.planned else []
        rows.append(Upcoming(spec, next_run, planned))
    return rows


# --- command line: `flask scheduler run`, `flask jobs list`, `flask jobs run` ---------------------

scheduler_cli = AppGroup("scheduler", help="The scheduler process (run exactly one).")
jobs_cli = AppGroup("jobs", help="Registered jobs: list them, run one by hand.")
MISFIRE_GRACE_SECONDS = 3600  # a run delayed by up to an hour (busy process, clock jump) still runs


def build_scheduler(app) -> BlockingScheduler:
    """A BlockingScheduler (Asia/Tokyo) with every registered job, plus one immediate catch-up run
    of each (the ledger makes it a no-op when the period already ran)."""
    scheduler = BlockingScheduler(timezone=JST, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS})
    for spec in discover().values():
        scheduler.add_job(_runner, spec.trigger, args=[app, spec.id], id=spec.id, name=spec.description)
        scheduler.add_job(_runner, "date", args=[app, spec.id], id=f"{spec.id}:catch-up", name=spec.description)
    # The heartbeat /readyz checks: at start, then every minute (its own job, so a long job run in
    # another thread does not delay it; max_instances=1 as for every job).
    scheduler.add_job(_beat, every(seconds=HEARTBEAT_SECONDS), args=[app], id="heartbeat", name="heartbeat",
                      next_run_time=dt.datetime.now(JST))
    return scheduler


def _beat(app) -> None:
    with app.app_context():
        try:
            write_heartbeat()
        except Exception:  # noqa: BLE001 - a missed beat shows on /readyz; the scheduler keeps running
            db.session.rollback()
            log.exception("could not write the scheduler heartbeat")
        finally:
            db.session.remove()


def _runner(app, job_id: str) -> None:
    with app.app_context():
        for outcome in run_job(job_id):
            log.info("job %s tenant %s: %s %s", job_id, outcome.tenant, outcome.status, outcome.summary)


@scheduler_cli.command("run")
def scheduler_run_command() -> None:
    """Run the scheduler in the foreground until SIGINT / SIGTERM (one such process per installation)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    scheduler = build_scheduler(current_app._get_current_object())
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    click.echo(f"scheduler: {len(REGISTRY)} jobs, timezone Asia/Tokyo")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass


@jobs_cli.command("list")
def jobs_list_command() -> None:
    """Registered jobs with their trigger and next fire time (JST)."""
    now = to_jst(now_utc())
    for spec in sorted(discover().values(), key=lambda s: s.id):
        next_run = spec.trigger.get_next_fire_time(None, now)
        click.echo(f"{spec.id}\t{spec.trigger}\tnext={next_run:%Y-%m-%d %H:%M %Z}\t{spec.description}")


def _parse_at(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("ISO date or datetime, e.g. 2025-05-16 or 2025-05-16T07:00") from exc
    if len(value) <= 10:
        moment = moment.replace(hour=7)  # a date alone: the morning run of that day
    return (moment if moment.tzinfo else moment.replace(tzinfo=JST)).astimezone(dt.timezone.utc)


@jobs_cli.command("run")
@click.argument("job_id")
@click.option("--tenant", "slug", default=None, help="Only this tenant (default: every 準備中 or 公開中 tenant).")
@click.option("--at", "at", default=None, help="Run as if now were this JST date/datetime (ISO).")
def jobs_run_command(job_id: str, slug: str | None, at: str | None) -> None:
    """Run JOB_ID once now (or --at a date) and print what it did per tenant."""
    if job_id not in discover():
        raise click.UsageError(f"unknown job {job_id}; see `flask jobs list`")
    outcomes = run_job(job_id, now=_parse_at(at), tenant_slugs=[slug] if slug else None)
    if slug and not outcomes:
        raise click.UsageError(f"unknown, suspended or archived tenant {slug}")
    for outcome in outcomes:
        click.echo(f"{job_id} {outcome.tenant}: {outcome.status} {outcome.summary}")
    if any(o.status == "failed" for o in outcomes):
        raise SystemExit(1)


def register_cli(app) -> None:
    """Attach `flask scheduler` and `flask jobs` to the app (nothing is started here)."""
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(jobs_cli)
