"""Configuration: defaults for local development, overridden by environment variables.

`DATABASE_URL` selects PostgreSQL (``postgresql+psycopg://…``); without it the app uses a SQLite
file under ``instance/``.

Secure by default (issue 14): only an explicit ``APP_ENV=development`` (what `make run` and the test
suite set) is development; anything else, unset included, is production, and `check_production`
refuses to start without a strong SECRET_KEY and a real APP_BASE_URL and MAIL_FROM.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

DEV_SECRET_KEY = "dev-only-not-secret"
MIN_SECRET_KEY_LENGTH = 32


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


DEVELOPMENT = "development"
PRODUCTION = "production"
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}


def app_env() -> str:
    """"development" only when the environment says exactly `APP_ENV=development`; otherwise
    (unset, empty, "prod", a typo) "production", so a forgotten setting fails safe."""
    return DEVELOPMENT if os.environ.get("APP_ENV", "").strip() == DEVELOPMENT else PRODUCTION


def build_config(instance_path: str) -> dict:
    """Return the configuration mapping for `create_app` from the environment."""
    env = app_env()
    return {
        "APP_ENV": env,
        "SECRET_KEY": os.environ.get("SECRET_KEY") or (DEV_SECRET_KEY if env == DEVELOPMENT else None),
        # Older keys during a rotation (comma-separated): they still open session cookies (Flask)
        # and the outbox's sealed links (app/notifications/sealing.py); new ones use SECRET_KEY.
        "SECRET_KEY_FALLBACKS": [k.strip() for k in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if k.strip()],
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "BABEL_DEFAULT_LOCALE": "ja",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
        "BABEL_TRANSLATION_DIRECTORIES": str(Path(__file__).parent / "translations"),
        "WTF_I18N_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": env == "production",
        # __Host- (Secure, Path=/, no Domain: not sent to other hosts) needs https, so production only.
        "SESSION_COOKIE_NAME": "__Host-session" if env == "production" else "session",
        "REMEMBER_COOKIE_DURATION": 0,
        # Server-side sessions, re-authentication, login throttling, TOTP (app/auth/sessions.py, throttle.py, mfa.py).
        "SESSION_IDLE_MINUTES": int(os.environ.get("SESSION_IDLE_MINUTES", "30")),
        "SESSION_ABSOLUTE_HOURS": int(os.environ.get("SESSION_ABSOLUTE_HOURS", "8")),
        "SESSION_WARNING_MINUTES": 5,
        "REAUTH_MINUTES": int(os.environ.get("REAUTH_MINUTES", "10")),
        "LOGIN_MAX_FAILURES": 5,
        "LOGIN_FAILURE_WINDOW_MINUTES": 15,
        "LOGIN_LOCK_MINUTES": 15,
        "MFA_REQUIRED_ROLES": _mfa_roles(env),
        "MAX_CONTENT_LENGTH": 10 * 1024 * 1024,
        "TENANTS_DIR": os.environ.get("TENANTS_DIR", str(Path(__file__).parent.parent / "tenants")),
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
        # Logs (app/core/logging.py): "json" (one object per line) or "text"; retention (app/ops/retention.py).
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "json"),
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "INFO"),
        "RETENTION_INACTIVE_DAYS": int(os.environ.get("RETENTION_INACTIVE_DAYS", "1095")),
        **_mail_config(env),
        **_ratelimit_config(),
    }


class ConfigError(RuntimeError):
    """The configuration is not fit to run; the message lists every setting to fix and how."""


def check_secret_key(config) -> None:
    """Refuse to start with an unsafe configuration. Raises ConfigError naming what to set.

    Development (`APP_ENV=development`) only needs some SECRET_KEY. Anything else is production and
    needs all of: SECRET_KEY random and at least 32 characters (it signs the session cookie and CSRF
    tokens and derives the outbox key, app/notifications/sealing.py); APP_BASE_URL the public https
    address (mail links are built on it; localhost would send people to their own machine);
    MAIL_FROM a real sender address (not example.jp/.com/.org); RATELIMIT_STORAGE_URI storage that
    every web worker shares (rate limits, app/core/ratelimit.py)."""
    if config.get("APP_ENV") == DEVELOPMENT:
        if not config.get("SECRET_KEY"):
            raise ConfigError("SECRET_KEY must be set")
        return
    problems = production_problems(config)
    if problems:
        raise ConfigError(
            "refusing to start in production (APP_ENV is not 'development'); set:\n"
            + "\n".join(f"  - {p}" for p in problems)
            + "\nFor local development set APP_ENV=development instead (make run does)."
        )


def production_problems(config) -> list[str]:
    """One line per unsafe production setting (empty list: fit to run)."""
    problems = []
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < MIN_SECRET_KEY_LENGTH:
        problems.append(
            f"SECRET_KEY: a random value of at least {MIN_SECRET_KEY_LENGTH} characters "
            "(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')")
    base = urlsplit(config.get("APP_BASE_URL") or "")
    if base.scheme not in ("http", "https") or not base.hostname or base.hostname in LOCAL_HOSTS \
            or base.hostname.startswith("127."):
        problems.append("APP_BASE_URL: the public address of this installation, e.g. https://ict.example-pref.lg.jp "
                        "(mail links are built on it; not localhost or 127.0.0.1)")
    sender = (config.get("MAIL_FROM") or "").strip().lower()
    domain = sender.rpartition("@")[2]
    if "@" not in sender or not domain or domain.split(".")[0] == "example" or domain.endswith((".example", ".invalid", ".test")):
        problems.append("MAIL_FROM: the sender address of outgoing mail, e.g. no-reply@ict.example-pref.lg.jp "
                        "(not an example address)")
    storage = str(config.get("RATELIMIT_STORAGE_URI") or "")
    if config.get("RATELIMIT_ENABLED", True) and (not storage or storage.startswith("memory://")):
        problems.append("RATELIMIT_STORAGE_URI: storage shared by every web worker, e.g. redis://127.0.0.1:6379/1 "
                        "(memory:// counts per process; app/core/ratelimit.py)")
    return problems


def _mfa_roles(env: str) -> tuple[str, ...]:
    """Roles that must use TOTP: env `MFA_REQUIRED_ROLES` ("operator,reviewer"), else all staff
    roles in production and none elsewhere (the demo and the test suite run without it)."""
    value = os.environ.get("MFA_REQUIRED_ROLES")
    if value is not None:
        return tuple(r.strip() for r in value.split(",") if r.strip())
    return ("operator", "reviewer", "platform_admin") if env == "production" else ()


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
        # Development defaults only: production start-up refuses them (check_secret_key).
        "MAIL_FROM": os.environ.get("MAIL_FROM", "no-reply@example.jp" if env == DEVELOPMENT else ""),
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT", "30")),
        "MAIL_MAX_ATTEMPTS": int(os.environ.get("MAIL_MAX_ATTEMPTS", "5")),
        # Links in mail are plain app URLs under this base (no login tokens).
        "APP_BASE_URL": os.environ.get("APP_BASE_URL", "http://127.0.0.1:5000" if env == DEVELOPMENT else ""),
        # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host (nginx: 1).
        # 0 trusts none: the client address is the socket's (werkzeug ProxyFix, app/core/web.py).
        "PROXY_FIX_HOPS": int(os.environ.get("PROXY_FIX_HOPS", "0")),
        # /readyz (app/ops/health.py): the scheduler's heartbeat must be younger than this.
        "HEARTBEAT_STALE_SECONDS": int(os.environ.get("HEARTBEAT_STALE_SECONDS", "180")),
    }


def _ratelimit_config() -> dict:
    """RATELIMIT_*: Flask-Limiter settings and the limits of `app.ratelimits` / `app.auth.throttle`
    ("N per minute|hour|day", several joined by ";"). `RATELIMIT_STORAGE_URI` must be shared by every
    worker outside development, e.g. redis://127.0.0.1:6379/1 (app/core/ratelimit.py)."""
    env = os.environ.get
    return {
        "RATELIMIT_ENABLED": env("RATELIMIT_ENABLED", "1") == "1",
        "RATELIMIT_STORAGE_URI": env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_KEY_PREFIX": env("RATELIMIT_KEY_PREFIX", "ictad"),
        "RATELIMIT_LOGIN": env("RATELIMIT_LOGIN", "30 per minute; 300 per hour"),
        "RATELIMIT_LOGIN_FAILURES": env("RATELIMIT_LOGIN_FAILURES", "30 per 10 minutes; 200 per day"),
        "RATELIMIT_LOGIN_ACCOUNT": env("RATELIMIT_LOGIN_ACCOUNT", "100 per hour"),
        "RATELIMIT_PASSWORD_RESET": env("RATELIMIT_PASSWORD_RESET", "5 per minute; 30 per hour"),
        "RATELIMIT_ACCOUNT_LINKS": env("RATELIMIT_ACCOUNT_LINKS", "10 per minute; 60 per hour"),
        "RATELIMIT_SURVEY_LINKS": env("RATELIMIT_SURVEY_LINKS", "30 per minute; 300 per hour"),
        "RATELIMIT_API": env("RATELIMIT_API", "300 per minute; 5000 per hour"),
    }
