"""Views of the reviews domain (routes under /t/<tenant_slug>/)."""
from flask import Blueprint

bp = Blueprint("reviews", __name__, url_prefix="/t/<tenant_slug>")
