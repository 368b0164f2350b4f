"""Views of the coverage domain (routes under /t/<tenant_slug>/): the public coverage dashboard and
tile-grid map, the municipality profile (operator and the municipality's own staff), and the
operator's program figures by year and budget pages."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template, request
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.core.clock import today_jst
from app.core.wareki import fiscal_year_of
from app.core.web import get_or_404
from app.coverage.budget import budget_by_call, call_chart, provider_chart, year_budget
from app.coverage.charts import region_chart
from app.coverage.figures import METRICS, category_chart, engagements_by_category, figures_by_year, year_chart
from app.coverage.forms import FiscalYearFilterForm
from app.coverage.profile import can_view_profile, is_municipality, municipality_profile
from app.coverage.queries import call_rules, coverage_summary, default_fiscal_year, percent
from app.coverage.tile_map import STATUSES, tile_map
from app.tenancy.models import Organisation

bp = Blueprint("coverage", __name__, url_prefix="/t/<tenant_slug>")


@bp.route("/coverage")
def index():
    """Coverage dashboard (支援状況), public: `?fiscal_year=YYYY` (default: newest year with a call).

    Distinct municipalities supported in the K-year window (001:165), the priority list for the
    next call (001:170), breakdowns by region, area and the tenant's focus group (each only where the
    tenant has one), and the municipality × fiscal-year matrix. An invalid year shows the default
    year with a Japanese message and 400.
    """
    form = FiscalYearFilterForm(formdata=request.args)
    valid = form.validate()
    summary = coverage_summary(g.tenant, form.year)
    status = 200 if valid else 400
    return render_template("coverage/index.html", form=form, s=summary, percent=percent,
                           region_chart=region_chart(summary.by_region)), status


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


@bp.route("/coverage/figures")
@role_required(Role.OPERATOR)
def figures():
    """Program figures by fiscal year (年度別実績, issue 5 §4), operator only (others 404): municipalities
    supported, engagements, providers, menu items, proposals, budget and allocated 千円, survey share;
    a chart per year, and engagements by DX category for `?fiscal_year=YYYY` (default: newest year).
    An invalid year shows the default year with a Japanese message and 400."""
    form = FiscalYearFilterForm(formdata=request.args)
    valid = form.validate()
    data = figures_by_year(g.tenant)
    fy = form.year or (data[-1].fiscal_year if data else fiscal_year_of(today_jst()))
    years = sorted({f.fiscal_year for f in data} | {fy}, reverse=True)
    return render_template("coverage/figures.html", form=form, figures=data, metrics=METRICS, fiscal_year=fy,
                           available_years=years, year_chart=year_chart(data),
                           category_chart=category_chart(engagements_by_category(g.tenant, fy), fy)), 200 if valid else 400


@bp.route("/coverage/budget")
@role_required(Role.OPERATOR)
def budget():
    """Budget (予算), operator only (others 404): budget vs allocated 千円 per call, and for
    `?fiscal_year=YYYY` (default: newest year with a call) per menu item and per provider.
    An invalid year shows the default year with a Japanese message and 400."""
    form = FiscalYearFilterForm(formdata=request.args)
    valid = form.validate()
    calls = budget_by_call(g.tenant)
    fy = form.year or default_fiscal_year(g.tenant)
    year = year_budget(g.tenant, fy)
    years = sorted({y for y, _ in calls} | {fy}, reverse=True)
    return render_template("coverage/budget.html", form=form, calls=calls, year=year, fiscal_year=fy, available_years=years,
                           call_chart=call_chart(calls), provider_chart=provider_chart(year) if year else None), 200 if valid else 400
