"""Platform admin pages."""
import sqlalchemy as sa
from flask import Blueprint, render_template

from app.auth.permissions import platform_admin_required
from app.extensions import db
from app.tenancy.models import Tenant

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@platform_admin_required
def index():
    """The tenants of this installation with their status."""
    tenants = db.session.scalars(sa.select(Tenant).order_by(Tenant.id)).all()
    return render_template("admin/index.html", tenants=tenants)
