"""Open-data API (read-only JSON, no login) under `/t/<slug>/api/v1/…`, and the health check.

Errors of the API routes (unknown tenant, no published menu, bad `fiscal_year`) answer JSON
`{"error": "<Japanese message>"}` with the HTTP status, never an HTML page.
"""
from __future__ import annotations

from flask import Blueprint, abort, g, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.api import queries
from app.coverage.forms import FiscalYearFilterForm

bp = Blueprint("api", __name__, url_prefix="/t/<tenant_slug>/api/v1")
health_bp = Blueprint("health", __name__)


@health_bp.route("/healthz")
def healthz():
    """Liveness: `{"status": "ok"}` (the process answers; touches no database)."""
    return jsonify(status="ok")


@health_bp.route("/readyz")
def readyz():
    """Readiness (app/ops/health.py): 200 `{"status": "ok", "checks": {...}}` when the database
    answers, its migrations are at head and the scheduler's heartbeat is fresh; otherwise 503 with
    `"status": "unavailable"`, `"failing": [check names]` and each check's reason."""
    from app.ops.health import readiness

    ready, checks = readiness()
    body = {"status": "ok" if ready else "unavailable", "checks": checks,
            "failing": [name for name, result in checks.items() if result != "ok"]}
    return jsonify(body), 200 if ready else 503


def _json_error(exc: HTTPException):
    # A description we passed to abort() is Japanese; werkzeug's defaults are English.
    custom = exc.description != type(exc).description
    defaults = {404: _("見つかりません。"), 400: _("リクエストの内容が正しくありません。")}
    message = exc.description if custom else defaults.get(exc.code, _("リクエストを処理できませんでした。"))
    return jsonify(error=str(message)), exc.code


# Routing errors (405, unknown paths) happen before a blueprint is known: those stay app-level.
bp.register_error_handler(400, _json_error)
bp.register_error_handler(404, _json_error)


def _fiscal_year_arg() -> int | None:
    """`?fiscal_year=YYYY` as an int, None when absent; 400 JSON when not a year 2000–2100."""
    form = FiscalYearFilterForm(formdata=request.args)
    if not form.validate():
        abort(400, description=str(form.fiscal_year.errors[0]))
    return form.year


@bp.route("/municipalities")
def municipalities():
    """`{"items": [{"lg_code", "name", "kana", "kind", "region", "area"}]}` ordered by lg_code."""
    return jsonify(items=queries.municipalities_data(g.tenant))


@bp.route("/menu")
def menu():
    """The published menu of `?fiscal_year=` (default: the newest published):
    `{"fiscal_year", "items": [{"number", "title", "categories", "provider", "format"}]}`; 404 when
    that year's menu is not published, 400 for a fiscal year that is not a number."""
    fiscal_year = _fiscal_year_arg()
    call = queries.published_call(g.tenant, fiscal_year)
    if call is None:
        abort(404, description=_("公開されている支援メニューがありません。"))
    return jsonify(queries.menu_data(g.tenant, call))


@bp.route("/coverage")
def coverage():
    """Coverage of `?fiscal_year=` (default: the newest year with a call); see
    `app.api.queries.coverage_data` for the shape. `never_supported` = not supported in the window."""
    return jsonify(queries.coverage_data(g.tenant, _fiscal_year_arg()))


@bp.route("/cases")
def cases():
    """Published cases (事例集): `{"items": [{"id", "title", "organisations", "fiscal_year",
    "municipality": {"lg_code", "name"}, "menu_item", "provider", "categories", "dx_step",
    "key_points", "overview", "outcomes", "population", "population_basis", "related_url",
    "similar_organisations", "survey_solved", "published_at"}]}`, newest first; a field a party
    held back from publication is null."""
    return jsonify(items=queries.published_cases_data(g.tenant))
