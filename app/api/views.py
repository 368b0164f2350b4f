"""Open-data API and health check."""
from flask import Blueprint, jsonify

bp = Blueprint("api", __name__, url_prefix="/t/<tenant_slug>/api/v1")
health_bp = Blueprint("health", __name__)


@health_bp.route("/healthz")
def healthz():
    """Liveness: `{"status": "ok"}`."""
    return jsonify(status="ok")
