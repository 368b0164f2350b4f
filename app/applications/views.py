"""Views of the applications domain (routes under /t/<tenant_slug>/)."""
from flask import Blueprint

bp = Blueprint("applications", __name__, url_prefix="/t/<tenant_slug>")
