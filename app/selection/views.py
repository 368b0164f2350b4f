"""Views of the selection domain (routes under /t/<tenant_slug>/)."""
from flask import Blueprint

bp = Blueprint("selection", __name__, url_prefix="/t/<tenant_slug>")
