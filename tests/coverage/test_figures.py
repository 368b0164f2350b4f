"""Program figures by fiscal year (app.coverage.figures, GET /t/<slug>/coverage/figures)."""
import csv
import datetime as dt

import pytest

from app.auth.models import Role
from app.core.db import utcnow
from app.coverage.figures import engagements_by_category, figures_by_year, figures_rows
from app.engagements.models import SupportSession
from app.engagements.services import record_past_engagement
from app.engagements.states import EngagementState
from app.extensions import db
from app.menus.states import DeliveryFormat
from app.surveys.models import SurveyResponse
from seed.history import DATA_DIR
from tests import factories
from tests.conftest import in_tenant, login
from tests.coverage.builders import call_for, cancel, count_statements, menu_item, municipalities, support

FIGURES_CSV = DATA_DIR / "program_figures.csv"
# program_figures.csv metric -> ProgramFigures attribute. Rows left out on purpose:
# - FY2020 (providers_active, municipalities_supported, solution_proposals): an earlier era of the
#   program, before the demo history starts (FY2022);
# - FY2024 municipalities_planned = 45 (001:169): the same source counts 45 *projects* in 41
#   municipalities (001:221), which are compared as engagements_planned and municipalities_planned_alt.
METRICS = {
    "municipalities_supported": "municipalities",
    "municipalities_planned_alt": "municipalities",
    "engagements_planned": "engagements",
    "menu_items": "menu_items",
    "budget_initial": "budget_thousand_yen",
    "budget_initial_draft": "budget_thousand_yen",
}
SKIPPED = {(2020, "providers_active"), (2020, "municipalities_supported"), (2020, "solution_proposals"),
           (2024, "municipalities_planned")}


def test_demo_reproduces_the_published_figures(demo_app):
    with FIGURES_CSV.open(encoding="utf-8") as handle:
        published = list(csv.DictReader(handle))
    with in_tenant(demo_app) as tenant:
        by_year = {f.fiscal_year: f for f in figures_by_year(tenant)}
    compared = 0
    for row in published:
        key = (int(row["fiscal_year"]), row["metric"])
        if key in SKIPPED:
            continue
        assert row["metric"] in METRICS, f"unmapped metric {key}: map it or skip it with a reason"
        assert getattr(by_year[key[0]], METRICS[row["metric"]]) == int(row["value"]), (key, row["source"])
        compared += 1
    assert compared == 7  # 2022 and 2023 municipalities, 2023 budget, 2024 41/45/34/69,545


def _history(tenant):
    """FY2023: 3 municipalities (one twice), one cancelled; FY2024: 2 municipalities by 2 providers."""
    m = municipalities()
    old = support(tenant, 2023, [m[0], m[0], m[1], m[2]], state=EngagementState.CLOSED)
    cancel(support(tenant, 2023, [m[3]], state=EngagementState.ASSIGNED)[0])
    call = call_for(tenant, 2024)
    call.menu_published_at = utcnow()
    first = menu_item(tenant, call, 1, categories=("SEC", "AI"))
    second = menu_item(tenant, call, 2, title="AI活用", provider_name="別の会員企業株式会社", categories=("AI",))
    menu_item(tenant, call, None, title="未公開の項目")
    new = [record_past_engagement(call=call, municipality=m[4], menu_item=first, actor=None, state=EngagementState.COMPLETED),
           record_past_engagement(call=call, municipality=m[5], menu_item=second, actor=None, state=EngagementState.IN_PROGRESS)]
    for engagement, proposals in ((old[0], 2), (old[1], 3), (new[0], 4)):
        db.session.add(SupportSession(tenant_id=tenant.id, engagement_id=engagement.id, held_on=dt.date(2024, 6, 1),
                                      format=DeliveryFormat.ONLINE, duration_minutes=60, content="相談", proposals_count=proposals))
    for engagement, solved in ((old[0], True), (old[1], False), (old[2], None), (new[0], True)):
        db.session.add(SurveyResponse(tenant_id=tenant.id, engagement_id=engagement.id, is_problem_solved=solved,
                                      submitted_at=utcnow()))
    db.session.flush()


def test_figures_count_distinct_and_leave_out_cancelled(app):
    with in_tenant(app) as tenant:
        _history(tenant)
        fy2023, fy2024 = figures_by_year(tenant)
    assert (fy2023.fiscal_year, fy2023.municipalities, fy2023.engagements, fy2023.providers) == (2023, 3, 4, 1)
    assert fy2023.allocated_thousand_yen == 4 * 1500 and fy2023.budget_thousand_yen == 10000
    assert fy2023.proposals == 5 and (fy2023.survey.solved, fy2023.survey.answered) == (1, 2)
    assert fy2023.menu_items == 0  # its menu was never published
    assert (fy2024.municipalities, fy2024.engagements, fy2024.providers, fy2024.menu_items) == (2, 2, 2, 2)
    assert fy2024.proposals == 4 and fy2024.survey.percent == 100


def test_figures_take_a_fixed_number_of_queries(app):
    with in_tenant(app) as tenant:
        support(tenant, 2022, municipalities()[:2])
        db.session.flush()
        with count_statements(db.engine) as few:
            figures_by_year(tenant)
        _history(tenant)
        with count_statements(db.engine) as many:
            figures_by_year(tenant)
    assert len(few) == len(many) <= 5


def test_engagements_by_category_counts_each_category_of_an_item(app):
    with in_tenant(app) as tenant:
        _history(tenant)
        counts = dict(engagements_by_category(tenant, 2024))
        labels = {c["code"]: c["label"] for c in tenant.categories}
    assert counts[labels["AI"]] == 2 and counts[labels["SEC"]] == 1
    assert len(counts) == len(labels)  # zero counts are kept


def test_figures_rows_for_excel(app):
    with in_tenant(app) as tenant:
        _history(tenant)
        headers, rows = figures_rows(tenant)
    assert headers[0] == "年度" and "予算額（千円）" in headers and headers[-1] == "課題解決につながった割合（%）"
    assert [r[0] for r in rows] == [2023, 2024]
    assert rows[0][headers.index("支援した市町村数（市町村）")] == 3 and rows[0][-3:] == [2, 1, 50]


def test_operator_sees_the_figures_page_on_the_demo(demo_client):
    login(demo_client, "operator@demo.example", "demo-pass-2024")
    page = demo_client.get("/t/fukushima/coverage/figures?fiscal_year=2024").get_data(as_text=True)
    row = page.split('data-metric="municipalities"')[1].split("</tr>")[0]
    assert [cell for cell in ("19", "20", "41") if f'<td class="num">{cell}</td>' in row] == ["19", "20", "41"]
    assert '<td class="num">69,545</td>' in page and "20件中20件（100%）" in page
    assert 'id="chart-years"' in page and 'id="chart-categories"' in page and 'role="img"' in page
    assert "年度別実績" in page.split("<main")[0]  # in the navigation


@pytest.mark.parametrize("email", ["municipal-072010@demo.example", "provider-1@demo.example", "reviewer@demo.example"])
def test_others_get_404(demo_client, email):
    login(demo_client, email, "demo-pass-2024")
    assert demo_client.get("/t/fukushima/coverage/figures").status_code == 404
    assert demo_client.get("/t/fukushima/coverage/budget").status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get("/t/fukushima/coverage/figures")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_survey_results_page_charts_the_share_by_year(demo_client):
    login(demo_client, "operator@demo.example", "demo-pass-2024")
    page = demo_client.get("/t/fukushima/surveys").get_data(as_text=True)
    chart = page.split('id="chart-survey"')[1].split("</figure>")[0]
    assert "令和6年度（回答20件）" in chart and chart.count("100%") == 2  # at the bar and in the table


def test_bad_year_is_400(app, client):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()
    login(client, "op@example.jp")
    response = client.get("/t/fukushima/coverage/figures?fiscal_year=abc")
    assert response.status_code == 400 and "年度は2000〜2100の西暦" in response.get_data(as_text=True)
