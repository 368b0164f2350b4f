"""Command-line interface: `flask tenants import DIR…|--all`, `flask tenants export SLUG DIR`, `flask seed demo`;
the groups of other packages (`flask jobs`, `flask platform-admin`, …) are attached in `register_cli`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db

tenants_cli = AppGroup("tenants", help="Tenant definitions under tenants/.")
seed_cli = AppGroup("seed", help="Demo data.")


def _folders(dirs: tuple[str, ...], import_all: bool) -> list:
    from pathlib import Path

    if import_all:
        dirs = dirs + tuple(str(p.parent) for p in sorted(Path(current_app.config["TENANTS_DIR"]).glob("*/tenant.toml")))
    if not dirs:
        raise click.UsageError("give one or more DIRs, or --all")
    return [Path(d) for d in dirs]


@tenants_cli.command("import")
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False))
@click.option("--all", "import_all", is_flag=True, help="Every folder under TENANTS_DIR that holds a tenant.toml.")
def import_command(dirs: tuple[str, ...], import_all: bool) -> None:
    """Load tenant definitions (DIR = a folder holding tenant.toml) into new or empty tenants.

    Every folder is validated first. A tenant already in the database is left as it is when it
    equals its files ("unchanged"); when it differs, nothing at all is written, the differences are
    listed and the exit status is non-zero (the database is the one source of truth)."""
    from app.tenancy.schema import TenantDefinitionError
    from app.tenancy.transfer import TenantDiverged, import_folder, read_folder

    folders = _folders(dirs, import_all)
    try:
        data = [(folder, read_folder(folder)) for folder in folders]
    except TenantDefinitionError as exc:
        raise click.ClickException(str(exc)) from exc
    diverged, results = [], []
    for folder, parsed in data:
        try:
            results.append(import_folder(folder, parsed))
        except (TenantDiverged, TenantDefinitionError) as exc:
            diverged.append(exc)
    if diverged:
        db.session.rollback()
        for exc in diverged:
            click.echo(str(exc), err=True)
            for line in getattr(exc, "differences", []):
                click.echo(f"  {line}", err=True)
        raise click.ClickException("何も書き込んでいません（nothing written）")
    db.session.commit()
    for tenant, status in results:
        click.echo(f"{tenant.slug}: {'取り込みました (imported)' if status == 'created' else '変更なし (unchanged)'}")


@tenants_cli.command("export")
@click.argument("slug")
@click.argument("directory", type=click.Path(file_okay=False))
def export_command(slug: str, directory: str) -> None:
    """Write tenant SLUG's definition into DIRECTORY (or DIRECTORY/SLUG when its name is not SLUG,
    since an import folder is named after its slug)."""
    from pathlib import Path

    import sqlalchemy as sa

    from app.tenancy.models import Tenant
    from app.tenancy.transfer import export_tenant

    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    if tenant is None:
        raise click.ClickException(f"テナント {slug} はありません")
    folder = Path(directory)
    folder = folder if folder.name == slug else folder / slug
    written = export_tenant(tenant, folder)
    click.echo(f"{slug}: {folder} に書き出しました: {', '.join(written)}")


@seed_cli.command("demo")
def seed_demo_command() -> None:
    """Load the Fukushima demo data (idempotent: nothing happens when the tenant has calls)."""
    from seed.demo import SeedRefused, seed_demo

    try:
        summary = seed_demo()
    except SeedRefused as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(summary)


@seed_cli.command("synthetic")
@click.option("--municipalities", default=1741, show_default=True, type=click.IntRange(1, 9999))
@click.option("--items", default=500, show_default=True, type=click.IntRange(1, 9999))
@click.option("--providers", default=60, show_default=True, type=click.IntRange(1, 999))
def seed_synthetic_command(municipalities: int, items: int, providers: int) -> None:
    """Build the national-scale benchmark call in tenant `synthetic` (idempotent; never in production)."""
    from seed.demo import SeedRefused
    from seed.synthetic import seed_synthetic

    try:
        summary = seed_synthetic(municipalities=municipalities, items=items, providers=providers)
    except SeedRefused as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(summary)


bench_cli = AppGroup("bench", help="Benchmarks (not timed tests).")


@bench_cli.command("allocation")
@click.option("--tenant", "slug", default="synthetic", show_default=True)
@click.option("--fiscal-year", type=int, default=None, help="Default: the newest call.")
@click.option("--time-limit", type=float, default=60.0, show_default=True, help="Seconds for the optimiser.")
@click.option("--scores/--no-scores", default=True, show_default=True, help="Draw reviewer scores (seeded).")
def bench_allocation_command(slug: str, fiscal_year: int | None, time_limit: float, scores: bool) -> None:
    """Run the allocation optimiser and the greedy baseline on the same call; writes nothing."""
    from app.selection.bench import BenchError, run

    try:
        lines = run(slug, fiscal_year, time_limit=time_limit, scores=scores)
    except BenchError as exc:
        raise click.ClickException(str(exc)) from exc
    for line in lines:
        click.echo(line)


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(tenants_cli)
    app.cli.add_command(seed_cli)
    app.cli.add_command(bench_cli)
    from app.scheduling import register_cli as register_scheduling_cli

    register_scheduling_cli(app)
    from app.ops.cli import register_ops_cli

    register_ops_cli(app)
    from app.admin.cli import register_admin_cli

    register_admin_cli(app)
