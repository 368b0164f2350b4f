"""Views of the surveys domain (routes under /t/<tenant_slug>/)."""
from flask import Blueprint

bp = Blueprint("surveys", __name__, url_prefix="/t/<tenant_slug>")
