"""Configuration: defaults for local development, overridden by environment variables.

`DATABASE_URL` selects PostgreSQL (``postgresql+psycopg://…``); without it the app uses a SQLite
file under ``instance/``. `SECRET_KEY` must be set outside development.
"""
from __future__ import annotations

import os
from pathlib import Path


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "app.sqlite")
    # Heroku-style URLs name the driver-less scheme; psycopg 3 is the driver we ship.
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


def build_config(instance_path: str) -> dict:
    """Return the configuration mapping for `create_app` from the environment."""
    env = os.environ.get("APP_ENV", "development")
    return {
        "APP_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY", "dev-only-not-secret" if env != "production" else None),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "WTF_I18N_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        "REMEMBER_COOKIE_DURATION": 0,
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "TENANTS_DIR": os.environ.get("TENANTS_DIR", str(Path(__file__).parent.parent / "tenants")),
        "SHARED_DIR": os.environ.get("SHARED_DIR", str(Path(__file__).parent.parent.parent / "shared")),
        "DEMO_PASSWORD": os.environ.get("DEMO_PASSWORD", "demo-pass-2024"),
    }
