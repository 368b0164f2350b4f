"""Views of the calls domain (routes under /t/<tenant_slug>/)."""
from flask import Blueprint

bp = Blueprint("calls", __name__, url_prefix="/t/<tenant_slug>")
