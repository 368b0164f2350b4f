"""Views of the coverage domain (routes under /t/<tenant_slug>/)."""
from flask import Blueprint

bp = Blueprint("coverage", __name__, url_prefix="/t/<tenant_slug>")
