"""Backup and restore of the whole database, for SQLite and PostgreSQL.

SQLite uses the online backup API (`sqlite3.Connection.backup`): a consistent copy page by page
while the app keeps running; the backup file is itself a SQLite database. PostgreSQL uses
`pg_dump -Fc` and `pg_restore --clean --if-exists --no-owner --single-transaction`; connection
details go to the tools through PG* environment variables (the password in PGPASSWORD), never on
the command line where `ps` would show them.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

SKIP_DATA_CHECK = {"alembic_version"}  # a migrated but empty database still counts as empty


class BackupError(RuntimeError):
    """A backup or restore could not be done; the message says why (shown by the CLI)."""


def backend(url: str) -> str:
    """"sqlite" or "postgresql" for a SQLAlchemy URL; raises BackupError for anything else."""
    name = make_url(url).get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"unsupported database backend: {name}")
    return name


def backup_database(url: str, path: Path) -> None:
    """Write a consistent backup of the database at `url` to `path` (overwritten when present),
    readable by its owner only (mode 0600: it holds every tenant's personal data and password
    hashes). Raises BackupError when the tool fails or the database is missing."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    _private_file(path)
    if backend(url) == "sqlite":
        _sqlite_copy(_sqlite_file(url), path)
    else:
        _run_pg(["pg_dump", "--format=custom", "--file", str(path)], url)


def _private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 before anything is written into it (an existing file is
    truncated and narrowed to 0600 too), so the data is never readable by others, not even
    briefly: sqlite3 and pg_dump keep the mode of the file they write into."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(fd, 0o600)
    finally:
        os.close(fd)


def restore_database(url: str, path: Path, *, force: bool = False) -> None:
    """Replace the content of the database at `url` with the backup at `path`.

    Refuses (BackupError) when the target already holds data and `force` is False, and when the
    backup file is missing or not a backup. Stop the web and scheduler processes first on
    PostgreSQL: open connections block the drop of the old tables."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"backup file not found: {path}")
    if not force and has_data(url):
        raise BackupError("the target database holds data; pass --yes to replace it")
    if backend(url) == "sqlite":
        _check_sqlite_backup(path)
        _sqlite_copy(path, _sqlite_file(url))
    else:
        _run_pg(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                 "--exit-on-error", str(path)], url, database_flag=True)


def has_data(url: str) -> bool:
    """True when any table of the database at `url` (except alembic_version) has a row."""
    if backend(url) == "sqlite" and not Path(_sqlite_file(url)).exists():
        return False
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            for name in sa.inspect(conn).get_table_names():
                table = sa.table(name)
                if name not in SKIP_DATA_CHECK and conn.scalar(sa.select(sa.exists().select_from(table))):
                    return True
        return False
    finally:
        engine.dispose()


def table_fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """`{table: (row count, sha256 of its rows in primary-key order)}` for every table: what a
    restore must reproduce exactly (used by the round-trip test and after a restore)."""
    engine = sa.create_engine(url, poolclass=NullPool)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return {name: _fingerprint(conn, table) for name, table in sorted(metadata.tables.items())}
    finally:
        engine.dispose()


def _fingerprint(conn, table: sa.Table) -> tuple[int, str]:
    order = list(table.primary_key.columns) or list(table.columns)
    digest, count = hashlib.sha256(), 0
    for row in conn.execute(sa.select(table).order_by(*order)):
        digest.update(repr(tuple(row)).encode("utf-8"))
        count += 1
    return count, digest.hexdigest()


def _sqlite_file(url: str) -> str:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return database


def _sqlite_copy(source: str | Path, target: str | Path) -> None:
    if not Path(source).is_file():
        raise BackupError(f"database file not found: {source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(str(target))
    try:
        with dst:
            src.backup(dst)
    except sqlite3.Error as exc:
        raise BackupError(f"SQLite backup failed: {exc}") from exc
    finally:
        dst.close()
        src.close()


def _check_sqlite_backup(path: Path) -> None:
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            ok = conn.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"not a SQLite backup: {path} ({exc})") from exc
    if not ok:
        raise BackupError(f"the SQLite backup is damaged: {path}")


def pg_environment(url: str | URL) -> dict[str, str]:
    """PG* variables for pg_dump/pg_restore from a SQLAlchemy URL (password only in PGPASSWORD)."""
    parsed = make_url(url)
    env = {"PGHOST": parsed.host or "", "PGPORT": str(parsed.port or ""), "PGUSER": parsed.username or "",
           "PGPASSWORD": parsed.password or "", "PGDATABASE": parsed.database or ""}
    if "sslmode" in parsed.query:
        env["PGSSLMODE"] = str(parsed.query["sslmode"])
    return {key: value for key, value in env.items() if value}


def _run_pg(argv: list[str], url: str, *, database_flag: bool = False) -> None:
    env = {**os.environ, **pg_environment(url)}
    if database_flag:  # pg_restore only restores into a database named with --dbname
        argv = [*argv[:-1], "--dbname", env["PGDATABASE"], argv[-1]]
    try:
        result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{argv[0]} is not installed") from exc
    if result.returncode != 0:
        raise BackupError(f"{argv[0]} failed: {result.stderr.strip()[-2000:]}")
