"""Budget views (app.coverage.budget, GET /t/<slug>/coverage/budget)."""
from app.auth.models import Role
from app.coverage.budget import budget_by_call, budget_rows, year_budget
from app.engagements.services import record_past_engagement
from app.engagements.states import EngagementState
from app.extensions import db
from tests import factories
from tests.conftest import in_tenant, login
from tests.coverage.builders import call_for, cancel, menu_item, municipalities, support


def _arrange(tenant):
    """FY2023: budget 10,000千円, 2 closed engagements at 1,500千円 and a cancelled one; FY2024: budget
    set to 0 (none), items by two providers, one item without engagements."""
    m = municipalities()
    support(tenant, 2023, m[:2])
    cancel(support(tenant, 2023, m[2:3], state=EngagementState.ASSIGNED)[0])
    call = call_for(tenant, 2024)
    call.budget_thousand_yen = 0
    first = menu_item(tenant, call, 1)
    second = menu_item(tenant, call, 2, title="AI活用", provider_name="別の会員企業株式会社")
    menu_item(tenant, call, 3, title="申込のない項目", provider_name="別の会員企業株式会社")
    for municipality, item in ((m[3], first), (m[4], first), (m[5], second)):
        record_past_engagement(call=call, municipality=municipality, menu_item=item, actor=None,
                               state=EngagementState.IN_PROGRESS)
    db.session.flush()


def test_budget_per_call_leaves_out_cancelled(app):
    with in_tenant(app) as tenant:
        _arrange(tenant)
        (fy2023, line2023), (fy2024, line2024) = budget_by_call(tenant)
    assert (fy2023, line2023.engagements, line2023.allocated, line2023.budget) == (2023, 2, 3000, 10000)
    assert line2023.remaining == 7000 and line2023.share == 30.0
    assert (fy2024, line2024.allocated, line2024.budget, line2024.remaining, line2024.share) == (2024, 4500, None, None, None)


def test_year_budget_per_item_and_provider(app):
    with in_tenant(app) as tenant:
        _arrange(tenant)
        call_for(tenant, 2024).budget_thousand_yen = 9000
        year = year_budget(tenant, 2024)
        missing = year_budget(tenant, 2030)
    assert missing is None
    assert [(x.label, x.engagements, x.allocated, x.slots_left) for x in year.by_menu_item] == [
        ("No.1 情報セキュリティポリシー見直し", 2, 3000, 58), ("No.2 AI活用", 1, 1500, 59), ("No.3 申込のない項目", 0, 0, 60)]
    assert [(x.label, x.engagements, x.allocated, x.share) for x in year.by_provider] == [
        ("テスト情報システム株式会社", 2, 3000, 33.3), ("別の会員企業株式会社", 1, 1500, 16.7)]
    assert (year.total.allocated, year.total.remaining, year.total.share) == (4500, 4500, 50.0)
    assert year.by_menu_item[0].remaining is None  # the remaining budget is the call's, not an item's


def test_budget_rows_for_excel(app):
    with in_tenant(app) as tenant:
        _arrange(tenant)
        headers, rows = budget_rows(tenant, 2023)
        assert budget_rows(tenant, 2030)[1] == []
    assert headers[:4] == ["区分", "名称", "支援案件数（件）", "配分額（千円）"]
    assert rows[0] == ["合計", "合計", 2, 3000, 10000, 7000, 30.0, None]
    assert [r[0] for r in rows] == ["合計", "支援メニュー", "会員企業"]


def test_operator_sees_the_budget_page(app, client):
    with in_tenant(app) as tenant:
        _arrange(tenant)
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()
    login(client, "op@example.jp")
    page = client.get("/t/fukushima/coverage/budget?fiscal_year=2023").get_data(as_text=True)
    assert "10,000" in page and "7,000" in page and "30.0%" in page
    assert 'id="chart-calls"' in page and 'id="chart-providers"' in page
    assert "未設定" in page  # FY2024 has no budget
    empty = client.get("/t/fukushima/coverage/budget?fiscal_year=2030")
    assert empty.status_code == 200 and "この年度の募集はありません。" in empty.get_data(as_text=True)
    assert client.get("/t/fukushima/coverage/budget?fiscal_year=1999").status_code == 400


def test_demo_budget_page(demo_client):
    login(demo_client, "operator@demo.example", "demo-pass-2024")
    response = demo_client.get("/t/fukushima/coverage/budget")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "令和6年度" in page
    assert "69,545" in page and "69,525" in page  # budget and allocated of FY2024 (45 × 1,545千円)
