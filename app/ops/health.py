"""Readiness checks for `/readyz` (issue 14 §6): can this process serve real traffic?

`/healthz` (app/api/views.py) says only that the process answers (no database: a load balancer
must not restart every web worker when the database blips). `/readyz` runs `readiness()`:

- database: a `SELECT 1` on the app's engine;
- migrations: the database's Alembic revision equals the head of `migrations/` (`flask db upgrade`
  was run after deploying this code);
- scheduler: the heartbeat the scheduler process writes every minute (app/scheduling.py) is
  younger than `HEARTBEAT_STALE_SECONDS` (default 180: three missed beats).
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import sqlalchemy as sa
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app

from app.core.clock import now_utc
from app.extensions import db

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"


@lru_cache(maxsize=1)
def code_heads() -> frozenset[str]:
    """The head revision(s) of the migrations shipped with this code (read once per process)."""
    return frozenset(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def _database() -> str:
    db.session.execute(sa.text("SELECT 1"))
    return "ok"


def _migrations() -> str:
    current = frozenset(MigrationContext.configure(db.session.connection()).get_current_heads())
    if current != code_heads():
        return f"database at {', '.join(sorted(current)) or 'no revision'}, code at {', '.join(sorted(code_heads()))}: run flask db upgrade"
    return "ok"


def _scheduler() -> str:
    from app.scheduling import SCHEDULER_HEARTBEAT, ProcessHeartbeat

    row = db.session.get(ProcessHeartbeat, SCHEDULER_HEARTBEAT)
    if row is None:
        return "no heartbeat: is `flask scheduler run` running?"
    beat_at = row.beat_at if row.beat_at.tzinfo else row.beat_at.replace(tzinfo=now_utc().tzinfo)
    age = int((now_utc() - beat_at).total_seconds())
    limit = int(current_app.config.get("HEARTBEAT_STALE_SECONDS", 180))
    if age > limit:
        return f"heartbeat {age} s old (limit {limit} s, last from {row.host} pid {row.pid})"
    return "ok"


CHECKS = (("database", _database), ("migrations", _migrations), ("scheduler", _scheduler))


def readiness() -> tuple[bool, dict[str, str]]:
    """Run every check in order; returns (all ok, `{check: "ok" | reason}`). A failed database
    check skips the others ("skipped"). Leaves no transaction open."""
    results: dict[str, str] = {}
    try:
        for name, check in CHECKS:
            if results.get("database", "ok") != "ok":
                results[name] = "skipped"
                continue
            try:
                results[name] = check()
            except Exception as exc:  # noqa: BLE001 - any failure is a "not ready" answer, not a 500
                db.session.rollback()
                results[name] = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:300]
    finally:
        db.session.rollback()
    return all(v == "ok" for v in results.values()), results
