"""No default production accounts: the demo seed (the only place with known passwords) refuses to
run when the app is configured for production (issue 7 §2, ASVS 6.3.2)."""
from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import User
from app.extensions import db


def test_flask_seed_demo_refuses_in_production_and_creates_no_account(app):
    app.config["APP_ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["seed", "demo"])
    assert result.exit_code != 0
    assert "本番環境" in result.output and "production" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_the_migrated_database_has_no_account(app):
    """Migrations and the tenant sync create no user: every person is invited."""
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0
