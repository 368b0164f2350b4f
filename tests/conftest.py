"""Test fixtures: a fresh database per test, cloned from a template built once per session.

`TEST_DATABASE_URL` (a PostgreSQL URL) runs the suite on PostgreSQL; otherwise SQLite files.
The template holds the schema (from the migrations) and the imported Fukushima tenant; `demo_app`
clones a second template that also holds `flask seed demo`.
"""
from __future__ import annotations

import itertools
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

# Anything but APP_ENV=development is production (app/config.py), which refuses the suite's
# test key and localhost URLs: the suite runs as development, set before any create_app (also the
# ones in test modules that build an app without these fixtures). Production tests monkeypatch it.
os.environ["APP_ENV"] = "development"

from app import create_app  # noqa: E402
from app.extensions import db
from app.tenancy.scoping import tenant_scope

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
ROOT = Path(__file__).resolve().parent.parent
_counter = itertools.count()


def _pg_admin_engine():
    return sa.create_engine(PG_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")


def _config(url: str, tmp: Path) -> dict:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "WTF_CSRF_ENABLED": False,
        "SECRET_KEY": "test-secret",
        "SERVER_NAME": None,
        "DEMO_PASSWORD": "demo-pass-2024",
        # Cheap argon2 for the suite (hashes still verify with the production setting).
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        # Files written by the app (session attachments, export jobs, previewed imports) stay in the test's tmp.
        "ATTACHMENT_DIR": str(tmp / "attachments"),
        "EXPORT_DIR": str(tmp / "exports"),
        "IMPORT_STORAGE_DIR": str(tmp / "imports"),
        # Rate limits out of reach: the suite logs in far more often than a person. The tests of the
        # limits set real ones with `enable_rate_limits`.
        **{key: HIGH_LIMIT for key in _rate_limit_keys()},
    }


HIGH_LIMIT = "1000000 per hour"


def _rate_limit_keys() -> set[str]:
    from app.auth.throttle import ACCOUNT_LIMIT
    from app.ratelimits import RULES

    return {rule.config_key for rule in RULES} | {ACCOUNT_LIMIT}


def _build_schema(app) -> None:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(ROOT / "migrations"), revision="heads")


def _import_fukushima(app) -> None:
    from app.tenancy.loader import tenant_folder
    from app.tenancy.transfer import ensure_imported

    with app.app_context():
        ensure_imported(tenant_folder(app.config["TENANTS_DIR"], "fukushima"))
        db.session.commit()


def _seed_demo(app) -> None:
    from seed.demo import seed_demo

    with app.app_context():
        seed_demo()
        db.session.commit()


class _Templates:
    """Builds template databases on first use and clones them per test."""

    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.prefix = f"ictad_{uuid.uuid4().hex[:8]}"
        self.built: dict[str, str] = {}

    def url_for(self, name: str) -> str:
        if PG_URL:
            return PG_URL.rsplit("/", 1)[0] + f"/{self.prefix}_{name}"
        return f"sqlite:///{self.tmp / (name + '.sqlite')}"

    def create_empty(self, name: str) -> str:
        if PG_URL:
            with _pg_admin_engine().connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{self.prefix}_{name}"'))
        return self.url_for(name)

    def template(self, kind: str) -> str:
        if kind not in self.built:
            url = self.create_empty(f"tpl_{kind}")
            app = create_app(_config(url, self.tmp))
            _build_schema(app)
            if kind != "empty":
                _import_fukushima(app)
            if kind == "demo":
                _seed_demo(app)
            with app.app_context():
                db.engine.dispose()
            self.built[kind] = url
        return self.built[kind]

    def clone(self, kind: str) -> str:
        source = self.template(kind)
        name = f"t{next(_counter)}"
        if PG_URL:
            with _pg_admin_engine().connect() as conn:
                conn.execute(sa.text(f'CREATE DATABASE "{self.prefix}_{name}" TEMPLATE "{self.prefix}_tpl_{kind}"'))
            return self.url_for(name)
        target = self.tmp / f"{name}.sqlite"
        shutil.copyfile(source.removeprefix("sqlite:///"), target)
        return f"sqlite:///{target}"

    def drop(self, url: str) -> None:
        if PG_URL:
            with _pg_admin_engine().connect() as conn:
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))

    def drop_all(self) -> None:
        if PG_URL:
            with _pg_admin_engine().connect() as conn:
                names = conn.scalars(sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p"), {"p": self.prefix + "%"}).all()
                for n in names:
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    t = _Templates(tmp_path_factory.mktemp("db"))
    yield t
    t.drop_all()


def _make_app(templates, kind: str, tmp_path):
    url = templates.clone(kind)
    app = create_app(_config(url, tmp_path))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    templates.drop(url)


@pytest.fixture
def app(templates, tmp_path):
    """An app on a fresh database holding the schema and the Fukushima tenant (no demo data)."""
    yield from _make_app(templates, "base", tmp_path)


@pytest.fixture
def empty_app(templates, tmp_path):
    """An app on a fresh database holding the schema only: no tenant, no user (a new installation)."""
    yield from _make_app(templates, "empty", tmp_path)


@pytest.fixture
def demo_app(templates, tmp_path):
    """An app on a fresh database holding the Fukushima tenant and the demo data."""
    yield from _make_app(templates, "demo", tmp_path)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


@contextmanager
def in_tenant(app, slug: str = "fukushima"):
    """App context scoped to a tenant, for arranging data and asserting on it in tests."""
    from app.tenancy.models import Tenant

    with app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        with tenant_scope(tenant.id):
            yield tenant


def enable_rate_limits(app, **limits: str):
    """Give `app` the production limits (the suite runs with limits out of reach) and fresh
    counters, with `limits` overriding some, e.g. RATELIMIT_LOGIN_ACCOUNT="6 per hour"."""
    from app.config import build_config
    from app.core.ratelimit import EXTENSION_KEY

    defaults = build_config(app.instance_path)
    app.config.update({key: defaults[key] for key in _rate_limit_keys()}, **limits)
    app.extensions[EXTENSION_KEY].reset()
    return app


def login(client, email: str, password: str = "test-pass-123", slug: str = "fukushima"):
    """Log `client` in through the login form; asserts it worked."""
    response = client.post(f"/t/{slug}/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response
