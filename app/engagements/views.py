"""Views of the engagements domain (routes under /t/<tenant_slug>/)."""
from flask import Blueprint

bp = Blueprint("engagements", __name__, url_prefix="/t/<tenant_slug>")
