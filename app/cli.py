"""Command-line interface: `flask tenants sync <slug>`, `flask seed demo`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from app.extensions import db

tenants_cli = AppGroup("tenants", help="Tenant definitions under tenants/.")
seed_cli = AppGroup("seed", help="Demo data.")


@tenants_cli.command("sync")
@click.argument("slug")
def sync_command(slug: str) -> None:
    """Load or update tenants/SLUG (idempotent)."""
    from app.tenancy.loader import TenantDefinitionError, read_definition, sync_tenant, tenant_folder

    from app.surveys.template import SurveyTemplateError, read_survey_template

    folder = tenant_folder(current_app.config["TENANTS_DIR"], slug)
    try:
        definition = read_definition(folder)
        if (folder / "survey.toml").is_file():
            read_survey_template(folder / "survey.toml")  # a broken template fails here, not on a page
    except (TenantDefinitionError, SurveyTemplateError) as exc:
        raise click.ClickException(str(exc)) from exc
    tenant = sync_tenant(definition)
    db.session.commit()
    click.echo(f"synced tenant {tenant.slug}: {len(definition.municipalities)} municipalities")


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


def register_cli(app: Flask) -> None:
    """Attach the command groups to the app."""
    app.cli.add_command(tenants_cli)
    app.cli.add_command(seed_cli)
