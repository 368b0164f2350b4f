"""Structured logs: one JSON object per line (python-json-logger) or plain text (`LOG_FORMAT`).

Every record carries the request id (also sent as the `X-Request-Id` header), the tenant slug and
the user id when it is logged inside a request; after each request `app.access` logs one access line
(method, path, endpoint, status, duration_ms). What never reaches a log: request bodies, query
strings (the survey link token travels in one), the raw path of a route whose arguments hold a token
(its URL rule is logged instead), and the values of `extra` keys that look secret (`REDACT_KEYS`).
"""
from __future__ import annotations

import logging
import re
import sys
import time
from typing import Any

import sqlalchemy as sa
from flask import Flask, g, has_request_context, request
from pythonjsonlogger.json import JsonFormatter

APP_LOGGER = "app"
ACCESS_LOGGER = "app.access"
REDACTED = "[redacted]"
# Substrings of key names whose values are never logged (case-insensitive).
REDACT_KEYS = re.compile(r"pass(word|wd)?|token|secret|csrf|authori[sz]ation|cookie|session|api[-_]?key", re.I)
_JSON_FIELDS = "%(levelname)s %(name)s %(message)s"
_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_HANDLER_MARK = "_ictad_handler"


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at emit time (so captured output in tests sees it)."""

    def __init__(self):
        super().__init__(sys.stderr)

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):  # StreamHandler.__init__ assigns it; the property ignores it
        pass


class RequestContextFilter(logging.Filter):
    """Adds request_id, tenant (slug) and user_id to every record (empty outside requests)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id, record.tenant, record.user_id = _request_fields()
        return True


class RedactFilter(logging.Filter):
    """Replaces the value of every `extra` key (and nested dict key) that looks secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in list(record.__dict__.items()):
            if key in _STANDARD_ATTRS:
                continue
            record.__dict__[key] = REDACTED if REDACT_KEYS.search(key) else redact(value)
        if isinstance(record.msg, dict):
            record.msg = redact(record.msg)
        return True


_STANDARD_ATTRS = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


def redact(value: Any) -> Any:
    """`value` with the values of secret-looking keys replaced by "[redacted]" (dicts, lists)."""
    if isinstance(value, dict):
        return {k: REDACTED if isinstance(k, str) and REDACT_KEYS.search(k) else redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact(v) for v in value]
    return value


def _request_fields() -> tuple[str, str, int | None]:
    if not has_request_context():
        return "", "", None
    return g.get("request_id", ""), _tenant_slug(), _user_id()


def _tenant_slug() -> str:
    """The slug of the resolved tenant, read without touching the database (after a rollback the
    tenant row is expired): from the loaded attribute, else from the `/t/<slug>/` path."""
    tenant = g.get("tenant")
    if tenant is None:
        return ""
    slug = tenant.__dict__.get("slug")
    if slug:
        return slug
    parts = request.path.split("/")
    return parts[2] if len(parts) > 2 and parts[1] == "t" else ""


def _user_id() -> int | None:
    """The logged-in user's id from its identity key (no query), or None."""
    user = g.get("_login_user")  # set by Flask-Login once the request asked for current_user
    state = sa.inspect(user, raiseerr=False) if user is not None else None
    identity = state.identity if state is not None else None
    return identity[0] if identity else None


def log_path() -> str:
    """The path to log for the current request: never the query string, and the URL rule instead
    of the raw path when a route argument holds a token."""
    view_args = request.view_args or {}
    if request.url_rule is not None and any("token" in name for name in view_args):
        return request.url_rule.rule
    return request.path


def build_handler(log_format: str) -> logging.Handler:
    """A stderr handler with the JSON (or "text") formatter and the context and redaction filters."""
    handler = _CurrentStderrHandler()
    if log_format == "text":
        handler.setFormatter(logging.Formatter(_TEXT_FORMAT))
    else:
        handler.setFormatter(JsonFormatter(_JSON_FIELDS, rename_fields={"levelname": "level", "name": "logger"},
                                           timestamp="time", json_ensure_ascii=False))
    handler.addFilter(RequestContextFilter())
    handler.addFilter(RedactFilter())
    setattr(handler, _HANDLER_MARK, True)
    return handler


def configure_logging(log_format: str = "json", level: str = "INFO") -> logging.Handler:
    """Install the handler on the root logger, replacing one installed earlier (idempotent: a
    second `create_app` never doubles lines). The app's loggers (`app`, `app.*`) log at `level`,
    libraries at WARNING and above. Returns the handler."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _HANDLER_MARK, False)]:
        root.removeHandler(old)
    handler = build_handler(log_format)
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    for name in (APP_LOGGER, ACCESS_LOGGER):
        # alembic's fileConfig (flask db upgrade in the same process) disables existing loggers.
        logging.getLogger(name).disabled = False
    logging.getLogger(APP_LOGGER).setLevel(level)
    return handler


def init_logging(app: Flask) -> None:
    """Configure logging from `LOG_FORMAT`/`LOG_LEVEL` and log one access line per request."""
    configure_logging(app.config.get("LOG_FORMAT", "json"), app.config.get("LOG_LEVEL", "INFO"))
    access = logging.getLogger(ACCESS_LOGGER)

    @app.before_request
    def _start_timer():
        g.request_started = time.perf_counter()

    @app.after_request
    def _access_line(response):
        started = g.get("request_started", time.perf_counter())
        access.info("request", extra={
            "method": request.method, "path": log_path(), "endpoint": request.endpoint or "",
            "status": response.status_code, "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        })
        return response
