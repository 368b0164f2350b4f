"""Views of the coverage domain (routes under /t/<tenant_slug>/): the public coverage dashboard and
tile-grid map, and the municipality profile (operator and the municipality's own staff)."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.core.clock import today_jst
from app.core.wareki import fiscal_year_of
from app.core.web import get_or_404
from app.coverage.forms import FiscalYearFilterForm
from app.coverage.profile import can_view_profile, is_municipality, municipality_profile
from app.coverage.queries import call_rules, coverage_summary, percent
from app.coverage.tile_map import STATUSES, tile_map
from app.tenancy.models import Organisation

bp = Blueprint("coverage", __name__, url_prefix="/t/<tenant_slug>")


@bp.route("/coverage")
def index():
    """Coverage dashboard (支援状況), public: `?fiscal_year=YYYY` (default: newest year with a call).

    Distinct municipalities supported in the K-year window (001:165), the priority list for the
    next call (001:170), breakdowns by region, area and evacuation area, and the municipality ×
    fiscal-year matrix. An invalid year shows the default year with a Japanese message and 400.
    """
    form = FiscalYearFilterForm(formdata=request.args)
    valid = form.validate()
    summary = coverage_summary(g.tenant, form.year)
    status = 200 if valid else 400
    return render_template("coverage/index.html", form=form, s=summary, percent=percent), status


@bp.route("/coverage/map")
def map_():
    """Tile-grid map (支援状況マップ), public like the dashboard: `?fiscal_year=YYYY` (default: newest
    year with a call). One tile per municipality coloured by the last fiscal year supported (this
    year / in the coverage window / earlier / never, 001:165), with the same data as a table.
    Tiles link to the municipality profile where the viewer may open it (operator: all; municipal
    staff: their own).
    An invalid year shows the default year with a Japanese message and 400."""
    form = FiscalYearFilterForm(formdata=request.args)
    valid = form.validate()
    tmap = tile_map(g.tenant, form.year)
    years = sorted(set(call_rules(g.tenant)) | {tmap.fiscal_year, fiscal_year_of(today_jst())}, reverse=True)
    linked = {t.municipality.id for t in tmap.tiles if can_view_profile(current_user, t.municipality)}
    return render_template("coverage/map.html", form=form, m=tmap, statuses=STATUSES, available_years=years,
                           linked=linked), 200 if valid else 400


@bp.route("/municipalities/<int:municipality_id>")
@role_required(Role.OPERATOR, Role.MUNICIPAL)
def profile(municipality_id: int):
    """Municipality profile (市町村カルテ): engagements by fiscal year with menu item, provider and
    state, survey answers, cases, and applications not selected with the reason. The operator and
    the municipality's own staff only; anyone else gets 404."""
    municipality = get_or_404(Organisation, municipality_id, Organisation.tenant_id == g.tenant.id)
    if not is_municipality(municipality) or not can_view_profile(current_user, municipality):
        abort(404)
    operator = current_user.role == Role.OPERATOR
    data = municipality_profile(g.tenant, municipality, operator=operator)
    return render_template("coverage/profile.html", p=data, is_operator=operator)
