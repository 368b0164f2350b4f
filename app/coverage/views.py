"""Views of the coverage domain (routes under /t/<tenant_slug>/): the public coverage dashboard."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request

from app.coverage.forms import FiscalYearFilterForm
from app.coverage.queries import coverage_summary, percent

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
