"""Root page and tenant home."""
from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, g, render_template
from flask_login import current_user

from app.auth.permissions import is_member
from app.extensions import db
from app.home.queries import tasks_for
from app.tenancy.models import Tenant
from app.tenancy.states import TenantStatus

bp = Blueprint("home", __name__, url_prefix="/t/<tenant_slug>")
root_bp = Blueprint("root", __name__)


@root_bp.route("/")
def index():
    """List the programs hosted on this installation that are 公開中."""
    tenants = db.session.scalars(sa.select(Tenant).where(Tenant.status == TenantStatus.OPEN).order_by(Tenant.id)).all()
    return render_template("home/root.html", tenants=tenants)


@bp.route("/")
def index():  # noqa: F811 (a different blueprint)
    """Tenant home: the program, the current call, and the logged-in user's tasks."""
    member = is_member(current_user, g.tenant)
    return render_template("home/index.html", tasks=tasks_for(current_user, g.tenant) if member else [])
