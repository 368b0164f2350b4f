"""Views of the menus domain (routes under /t/<tenant_slug>/)."""
from flask import Blueprint

bp = Blueprint("menus", __name__, url_prefix="/t/<tenant_slug>")
