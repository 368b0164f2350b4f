"""Web helpers: request ids, security headers, error pages, template filters, scoped loading."""
from __future__ import annotations

import re
import secrets
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Flask, abort, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError

from app.core import wareki
from app.core.conflicts import register_conflict_handler
from app.core.states import TransitionError
from app.extensions import db

_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"


def safe_next_url(default: str) -> str:
    """`next=` from the query string when it is a local path, else `default` (no open redirects).

    Local means: starts with one "/" followed by something other than "/" or "\\", and holds no
    backslash, whitespace or control character (browsers drop tabs and newlines, so "/<TAB>/evil"
    would become "//evil"), no scheme and no host."""
    target = request.args.get("next", "")
    return target if is_local_path(target) else default


def is_local_path(target: str) -> bool:
    """True when `target` can only lead to a path on this site (see `safe_next_url`)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def bounded_int(low: int, high: int):
    """A `type=` for `request.args.get`: the integer when `low <= n <= high`, else `ValueError`, so
    that the call's default is used. Query values reach SQL only within the column's range (a
    20-digit year once gave a 500; bad input, ASVS V2.2.1)."""

    def convert(text: str) -> int:
        value = int(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return convert


YEAR_ARG = bounded_int(2000, 2100)  # 年度 in query strings (as the forms' fiscal-year range)
PAGE_ARG = bounded_int(1, 100_000)  # page numbers
ID_ARG = bounded_int(1, 2**31 - 1)  # row ids and versions (INTEGER columns)


def get_or_404(model, object_id: int, *conditions):
    """Load one row through the tenant-scoped query path (never `session.get`), or abort 404."""
    stmt = sa.select(model).where(model.id == object_id, *conditions)
    obj = db.session.scalar(stmt)
    if obj is None:
        abort(404)
    return obj


def get_visible_or_404(model, object_id: int, can_see):
    """Load a row of the current tenant that `can_see(current_user, row)` allows, or abort 404
    (users never learn that objects they may not see exist, architecture.md Tenancy 5)."""
    from flask_login import current_user

    obj = get_or_404(model, object_id, model.tenant_id == g.tenant.id)
    if not can_see(current_user, obj):
        abort(404)
    return obj


def init_web(app: Flask) -> None:
    """Register request hooks, headers, error handlers and template helpers."""
    _register_hooks(app)
    _register_error_handlers(app)
    _register_template_helpers(app)


def _register_hooks(app: Flask) -> None:
    @app.before_request
    def _request_id():
        # A proxy's id is kept when it is a plain token (it goes into logs); anything else is replaced.
        incoming = request.headers.get("X-Request-Id", "")
        g.request_id = incoming if _REQUEST_ID.fullmatch(incoming) else secrets.token_hex(8)

    @app.before_request
    def _refuse_nul_in_query():
        # No link of ours carries a NUL, and PostgreSQL text cannot hold one (a search or filter
        # passing it on gave a 500): the request is refused as bad input. Forms strip NULs
        # themselves (app.core.forms.strip_nul).
        if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
            abort(400)

    @app.after_request
    def _security_headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers["X-Request-Id"] = g.get("request_id", "")
        if app.config["APP_ENV"] == "production":
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if request.endpoint != "static" and not request.path.startswith("/healthz"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


def _error_page(status: int, title: str, message: str):
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _register_error_handlers(app: Flask) -> None:
    register_conflict_handler(app)  # 409 page that shows the other edit (app/core/conflicts.py)

    @app.errorhandler(404)
    def _not_found(exc):
        return _error_page(404, _("ページが見つかりません"), _("お探しのページは存在しないか、閲覧する権限がありません。"))

    @app.errorhandler(400)
    def _bad_request(exc):
        return _error_page(400, _("入力内容を確認してください"), _("送信された内容を処理できませんでした。"))

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _error_page(400, _("送信を受け付けられませんでした"), _("ページの有効期限が切れた可能性があります。ページを再読み込みしてからもう一度送信してください。"))

    @app.errorhandler(405)
    def _method(exc):
        return _error_page(405, _("この操作はできません"), _("この方法ではページを利用できません。"))

    @app.errorhandler(413)
    def _too_large(exc):
        return _error_page(413, _("ファイルが大きすぎます"), _("送信できる容量を超えています。"))

    @app.errorhandler(TransitionError)
    def _transition(exc):
        db.session.rollback()
        return _error_page(409, _("この操作は現在の状態ではできません"), _("他の操作で状態が変わった可能性があります。画面を再読み込みしてください。"))

    @app.errorhandler(StaleDataError)
    def _conflict(exc):
        db.session.rollback()
        return _error_page(409, _("他の人が先に更新しました"), _("同じデータが別の操作で更新されました。画面を再読み込みして内容を確認してから、もう一度操作してください。"))

    @app.errorhandler(500)
    def _server_error(exc):
        db.session.rollback()
        return _error_page(500, _("システムエラー"), _("処理中に問題が発生しました。時間をおいてもう一度お試しください。"))


def _register_template_helpers(app: Flask) -> None:
    app.jinja_env.filters["fy"] = wareki.fiscal_year_label
    app.jinja_env.filters["fy_long"] = wareki.fiscal_year_long
    app.jinja_env.filters["date_ja"] = wareki.format_date
    app.jinja_env.filters["datetime_ja"] = wareki.format_datetime

    @app.context_processor
    def _globals():
        from app.auth.views import current_role
        from app.navigation import navigation_for

        return {
            "tenant": getattr(g, "tenant", None),
            "current_role": current_role(),
            "nav_items": navigation_for,
            "has_endpoint": lambda name: name in app.view_functions,
        }
