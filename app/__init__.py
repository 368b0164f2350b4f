"""ICT-advisor dispatch platform (ICTアドバイザー市町村派遣事業): the Flask application factory.

Order: config -> extensions -> tenancy -> blueprints -> CLI -> web hooks -> tenant status gate. Nothing here touches the database:
the schema comes from `flask db upgrade`, never from `create_app`.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    """Build the application. `config` overrides the environment-derived settings (tests)."""
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or None)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    from app.config import build_config

    app.config.from_mapping(build_config(app.instance_path))
    if config:
        app.config.from_mapping(config)
    from app.config import check_secret_key
    from app.core.logging import init_logging

    check_secret_key(app.config)
    init_logging(app)

    _init_extensions(app)
    from app.tenancy import init_tenancy

    init_tenancy(app)
    _register_blueprints(app)
    _init_ratelimit(app)
    _register_cli(app)
    from app.core.web import init_web

    init_web(app)
    from app.tenancy import init_tenant_gate

    init_tenant_gate(app)
    _wrap_wsgi(app)
    return app


def _wrap_wsgi(app: Flask) -> None:
    """Behind `PROXY_FIX_HOPS` reverse proxies, take the client address, scheme and host from their
    X-Forwarded-* headers (werkzeug ProxyFix, trusting exactly that many hops: with 0, the default,
    a client-sent X-Forwarded-For is ignored, so nobody can fake their audit/session IP). Also keep
    the development server from announcing its version (app.core.serverheader)."""
    from app.core.serverheader import hide_dev_server_version

    hide_dev_server_version()
    hops = int(app.config.get("PROXY_FIX_HOPS") or 0)
    if hops > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)


def _init_extensions(app: Flask) -> None:
    from app.core import db as core_db
    from app.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    core_db.init_engine_events(app)
    migrate.init_app(app, db, directory=str(Path(__file__).parent.parent / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    from app.core.i18n import select_locale

    babel.init_app(app, locale_selector=select_locale)
    login_manager.init_app(app)
    import app.models  # noqa: F401  (register every model on the metadata)


def _register_blueprints(app: Flask) -> None:
    from app.blueprints import BLUEPRINTS

    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)


def _init_ratelimit(app: Flask) -> None:
    from app.core.ratelimit import init_ratelimit
    from app.ratelimits import JSON_BLUEPRINTS, RULES

    init_ratelimit(app, RULES, json_blueprints=JSON_BLUEPRINTS)


def _register_cli(app: Flask) -> None:
    from app.cli import register_cli

    register_cli(app)
