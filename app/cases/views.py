"""Views of the cases domain (routes under /t/<tenant_slug>/)."""
from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/t/<tenant_slug>")
