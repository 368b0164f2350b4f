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
        # Session attachments (app/engagements/attachments.py): per file, per session, where (outside static/).
        "ATTACHMENT_MAX_BYTES": int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 * 1024 * 1024))),
        "ATTACHMENT_MAX_FILES": 5,
        "ATTACHMENT_DIR": os.environ.get("ATTACHMENT_DIR", str(Path(instance_path) / "attachments")),
        # Excel out (app/exports/): lists above EXPORT_SYNC_MAX_ROWS rows are written by a background
        # worker (EXPORT_WORKERS threads; 0 leaves jobs queued for a scheduler) into EXPORT_DIR.
        "EXPORT_DIR": os.environ.get("EXPORT_DIR", str(Path(instance_path) / "exports")),
        "EXPORT_SYNC_MAX_ROWS": int(os.environ.get("EXPORT_SYNC_MAX_ROWS", "2000")),
        "EXPORT_WORKERS": int(os.environ.get("EXPORT_WORKERS", "2")),
        "EXPORT_TTL_HOURS": 24,
        "EXPORT_PROGRESS_EVERY": 200,
        # Excel in (app/imports/): upload size limit and where previewed files wait for 「取り込む」.
        "IMPORT_MAX_BYTES": int(os.environ.get("IMPORT_MAX_BYTES", str(5 * 1024 * 1024))),
        "IMPORT_STORAGE_DIR": os.environ.get("IMPORT_STORAGE_DIR", str(Path(instance_path) / "imports")),
        **_mail_config(env),
    }


def _mail_config(env: str) -> dict:
    """MAIL_*: SMTP outside development; "store" (kept in the outbox, shown on 送信メール) otherwise."""
    return {
        "MAIL_BACKEND": os.environ.get("MAIL_BACKEND", "smtp" if env == "production" else "store"),
        "MAIL_HOST": os.environ.get("MAIL_HOST", "localhost"),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT", "587")),
        "MAIL_USE_STARTTLS": os.environ.get("MAIL_USE_STARTTLS", "1") == "1",
        "MAIL_USE_SSL": os.environ.get("MAIL_USE_SSL", "0") == "1",
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD", ""),
        "MAIL_FROM": os.environ.get("MAIL_FROM", "no-reply@example.jp"),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "30")),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "5")),
        # Links in mail are plain app URLs under this base (no login tokens).
        "APP_BASE_URL": os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000"),
    }
