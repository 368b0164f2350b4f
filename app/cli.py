"""Command-line interface: `flask tenants sync <slug>`, `flask seed demo`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db

tenants_cli = AppGroup("tenants", help="Tenant definitions under tenants/.")
seed_cli = AppGroup("seed", help="Demo data.")


@tenants_cli.command("sync")
@click.argument("slugs", nargs=-1)
@click.option("--all", "sync_all", is_flag=True, help="Every folder under TENANTS_DIR that holds a tenant.toml.")
def sync_command(slugs: tuple[str, ...], sync_all: bool) -> None:
    """Load or update tenants/SLUG… (idempotent). Every definition is validated before any is written.
    The questionnaires (survey.toml, needs_survey.toml) are stored only into a tenant without them."""
    from pathlib import Path

    from app.questionnaires.transfer import load_missing, read_files
    from app.tenancy.loader import read_definition, sync_tenant, tenant_folder
    from app.tenancy.scoping import tenant_scope

    root = current_app.config["TENANTS_DIR"]
    if sync_all:
        slugs = tuple(sorted(p.parent.name for p in Path(root).glob("*/tenant.toml")))
    if not slugs:
        raise click.UsageError("give one or more SLUGs, or --all")
    definitions = []
    for slug in slugs:
        folder = tenant_folder(root, slug)
        try:
            definitions.append((read_definition(folder), folder))
            read_files(folder)  # a broken questionnaire fails here, before anything is written
        except ValueError as exc:  # TenantDefinitionError, SurveyTemplateError, NeedsTemplateError
            raise click.ClickException(str(exc)) from exc
    for definition, folder in definitions:
        tenant = sync_tenant(definition)
        with tenant_scope(tenant.id):
            # Only into a tenant that has none yet: what the office edited in 事業設定 is kept.
            stored = load_missing(tenant, folder)
        if stored:
            click.echo(f"stored questionnaires of {tenant.slug} as version 1: {', '.join(stored)}")
        click.echo(f"synced tenant {tenant.slug}: {len(definition.municipalities)} municipalities, "
                   f"{len(definition.bodies)} other applicant bodies, {len(definition.providers)} registered providers")
    db.session.commit()


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
