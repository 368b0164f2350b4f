"""Platform admin pages."""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template
from flask_login import current_user

from app.admin.queries import get_tenant, tenant_summary
from app.audit.display import actor_name, target_text
from app.audit.labels import action_label, role_label
from app.auth.models import Role
from app.auth.permissions import platform_admin_required
from app.core.audit import record_audit
from app.extensions import db
from app.tenancy.models import OrganisationKind, Tenant

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@platform_admin_required
def index():
    """The tenants of this installation with their status."""
    tenants = db.session.scalars(sa.select(Tenant).order_by(Tenant.id)).all()
    return render_template("admin/index.html", tenants=tenants)


@bp.route("/tenants/<int:tenant_id>")
@platform_admin_required
def tenant(tenant_id: int):
    """One tenant's summary for a platform admin (others 404): organisations by kind, users by role,
    calls and the newest audit events. Every view is itself audited as `admin.tenant_view` under
    that tenant, so its operators see the access on their 監査ログ page."""
    row = get_tenant(tenant_id)
    if row is None:
        abort(404)
    summary = tenant_summary(row)
    record_audit("admin.tenant_view", tenant_id=row.id, actor=current_user, target=row, changes={"tenant": row.slug})
    db.session.commit()
    return render_template("admin/tenant.html", s=summary, Role=Role, OrganisationKind=OrganisationKind,
                           action_label=action_label, role_label=role_label, actor_name=actor_name,
                           target_text=target_text)
