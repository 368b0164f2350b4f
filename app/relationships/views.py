"""Views of the relationships domain (routes under /t/<tenant_slug>/): the list of declared
provider–municipality relationships (利害関係), declaring one, and withdrawing it."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.core.web import get_or_404, get_visible_or_404
from app.extensions import db
from app.relationships import queries, services
from app.relationships.forms import RelationshipForm
from app.relationships.models import ProviderRelationship
from app.relationships.permissions import can_view_relationship
from app.tenancy.labels import provider_label
from app.tenancy.models import Organisation, OrganisationKind

bp = Blueprint("relationships", __name__, url_prefix="/t/<tenant_slug>")
ROLES = (Role.OPERATOR, Role.PROVIDER)


def _form() -> RelationshipForm:
    form = RelationshipForm()
    if current_user.role == Role.PROVIDER:
        providers = [current_user.organisation]
    else:
        providers = queries.organisations_of(g.tenant, OrganisationKind.PROVIDER)
    form.set_options(providers, queries.organisations_of(g.tenant, OrganisationKind.MUNICIPALITY))
    return form


def _org(form_value: str, kind: OrganisationKind) -> Organisation:
    return get_or_404(Organisation, int(form_value), Organisation.tenant_id == g.tenant.id, Organisation.kind == kind)


@bp.route("/relationships", methods=["GET", "POST"])
@role_required(*ROLES)
def index():
    """The declared relationships (operator: all; provider: its own) and the form to declare one."""
    form = _form()
    if form.validate_on_submit():
        provider = _org(form.provider.data, OrganisationKind.PROVIDER)
        if current_user.role == Role.PROVIDER and provider.id != current_user.organisation_id:
            abort(404)
        try:
            services.declare_relationship(g.tenant, provider=provider, actor=current_user, kind=form.kind.data,
                                          municipality=_org(form.municipality.data, OrganisationKind.MUNICIPALITY),
                                          reason=form.reason.data)
        except services.RelationshipError as exc:
            flash(str(exc), "error")
        else:
            db.session.commit()
            flash(_("利害関係を申告しました。この%(provider)sの支援メニューは当該市町村に割り当てられません。", provider=provider_label()), "success")
            return redirect(url_for(".index"))
    status = 400 if form.is_submitted() else 200
    rows = queries.relationships_for(current_user, g.tenant)
    return render_template("relationships/index.html", rows=rows, form=form), status


@bp.route("/relationships/<int:relationship_id>/withdraw", methods=["POST"])
@role_required(*ROLES)
def withdraw(relationship_id: int):
    """Withdraw a standing declaration (operator, or staff of the declared provider)."""
    row = get_visible_or_404(ProviderRelationship, relationship_id, can_view_relationship)
    try:
        services.withdraw_relationship(row, actor=current_user)
    except services.RelationshipError as exc:
        flash(str(exc), "error")
        return redirect(url_for(".index"))
    db.session.commit()
    flash(_("利害関係の申告を取り下げました。"), "success")
    return redirect(url_for(".index"))
