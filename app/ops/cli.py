"""`flask backup PATH`, `flask restore PATH [--yes]`, `flask retention run [--dry-run] [--days N]`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from app.extensions import db
from app.ops import backup as backups
from app.ops.retention import run_retention

retention_cli = AppGroup("retention", help="Personal-data retention (RETENTION_INACTIVE_DAYS).")


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write a consistent backup of the database to PATH (SQLite: online backup; PostgreSQL: pg_dump -Fc)."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        backups.backup_database(url, path)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"backup written: {path} ({backups.backend(url)})")


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace a database that already holds data.")
def restore_command(path: Path, yes: bool) -> None:
    """Replace the database with the backup at PATH. Stop the web server and scheduler first."""
    url = current_app.config["SQLALCHEMY_DATABASE_URI"]
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold the tables being replaced
    try:
        backups.restore_database(url, path, force=yes)
    except backups.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = sum(count for count, _ in backups.table_fingerprints(url).values())
    click.echo(f"restored {path}: {rows} rows")


@retention_cli.command("run")
@click.option("--dry-run", is_flag=True, help="Only list the users that would be anonymised.")
@click.option("--days", type=click.IntRange(min=1), default=None, help="Inactivity period (default RETENTION_INACTIVE_DAYS).")
def retention_run_command(dry_run: bool, days: int | None) -> None:
    """Anonymise deactivated users inactive for longer than the period (see app/ops/retention.py)."""
    days = days or current_app.config["RETENTION_INACTIVE_DAYS"]
    result = run_retention(days, dry_run=dry_run)
    if dry_run:
        click.echo(f"dry run: {len(result.user_ids)} users would be anonymised (inactive since before {result.cutoff:%Y-%m-%d})")
        return
    db.session.commit()
    deleted = ", ".join(f"{table} {count}" for table, count in sorted(result.deleted_rows.items())) or "none"
    click.echo(f"anonymised {len(result.user_ids)} users; rows deleted: {deleted}")


def register_ops_cli(app: Flask) -> None:
    """Attach `backup`, `restore` and the `retention` group to the app's CLI."""
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(retention_cli)
