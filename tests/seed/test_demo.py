"""The demo data reproduces the program's published figures (program_figures.csv) through the
same queries and API the users see."""
import csv
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.calls.models import Call
from app.engagements.models import Engagement
from app.extensions import db
from app.menus.models import MenuItem
from seed.demo import SeedRefused, seed_demo
from seed.history import DATA_DIR
from tests.conftest import in_tenant

FIGURES = DATA_DIR / "program_figures.csv"


def _figure(fiscal_year: int, metric: str) -> int:
    """The published figure (program_figures.csv, shipped with its source lines); KeyError if absent."""
    with FIGURES.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            if int(row["fiscal_year"]) == fiscal_year and row["metric"] == metric:
                return int(row["value"])
    raise KeyError((fiscal_year, metric))


def test_coverage_api_reports_published_counts_and_59_in_total(demo_client):
    data = demo_client.get("/t/fukushima/api/v1/coverage?fiscal_year=2024").get_json()
    assert data["municipalities_total"] == 59
    assert data["by_year"]["2022"] == _figure(2022, "municipalities_supported")
    assert data["by_year"]["2023"] == _figure(2023, "municipalities_supported")
    assert data["window"] == [2022, 2024]
    # the FY2024 plan reaches every municipality within the 3-year window (001:165)
    assert data["covered_in_window"] == 59 and data["never_supported"] == []


def test_fy2024_lands_on_the_published_plan(demo_app):
    with in_tenant(demo_app) as tenant:
        call = db.session.scalar(sa.select(Call).where(Call.tenant_id == tenant.id, Call.fiscal_year == 2024))
        engagements = db.session.scalars(sa.select(Engagement).where(Engagement.call_id == call.id)).all()
        items = db.session.scalar(sa.select(sa.func.count(MenuItem.id)).where(MenuItem.call_id == call.id, MenuItem.number.is_not(None)))
        assert items == _figure(2024, "menu_items")
        assert len(engagements) == _figure(2024, "engagements_planned")
        assert len({e.municipality_id for e in engagements}) == _figure(2024, "municipalities_planned_alt")
        assert call.budget_thousand_yen == _figure(2024, "budget_initial_draft")
        assert sum(e.cost_thousand_yen for e in engagements) <= call.budget_thousand_yen


def test_seed_is_idempotent(demo_app):
    with in_tenant(demo_app):
        before = db.session.scalar(sa.select(sa.func.count(Engagement.id)))
    with demo_app.app_context():
        assert "nothing loaded" in seed_demo()
        db.session.commit()
    with in_tenant(demo_app):
        assert db.session.scalar(sa.select(sa.func.count(Engagement.id))) == before


def test_seed_refuses_production(app):
    app.config["APP_ENV"] = "production"
    with app.app_context(), pytest.raises(SeedRefused):
        seed_demo()


def test_fy2024_applications_were_reviewed_and_the_scores_reached_the_selection(demo_app):
    from app.reviews.models import Review
    from app.reviews.states import ReviewTarget
    from app.selection.models import Allocation

    with in_tenant(demo_app):
        reviews = db.session.scalars(sa.select(Review).where(Review.target == ReviewTarget.APPLICATION)).all()
        reasons = db.session.scalars(sa.select(Allocation.reason)).all()
    assert len(reviews) == 12 and all(r.justifications and 0 < r.weighted_score <= 100 for r in reviews)
    assert sum("評点" in reason for reason in reasons) >= 1
    assert all(reason.startswith(("選定", "非選定")) for reason in reasons)
