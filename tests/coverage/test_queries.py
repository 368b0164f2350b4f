"""Coverage queries: distinct municipalities in the K-year window (001:165), the N-year priority
rule (001:170), breakdowns, plan vs actual, the matrix, and a bounded number of SQL statements."""
import sqlalchemy as sa

from app.core.clock import today_jst
from app.core.wareki import fiscal_year_of
from app.coverage.queries import coverage_summary, default_fiscal_year, is_priority, lookback_years
from app.engagements.states import EngagementState
from app.extensions import db
from tests.conftest import in_tenant
from tests.coverage.builders import call_for, cancel, count_statements, municipalities, support


def _scenario_7(tenant):
    """FY2022 19 municipalities, FY2023 20, FY2024 45 projects in 41 municipalities (001:167-169, 221)
    with 5 of them completed, plus one cancelled engagement; FY2021 before the window."""
    m = municipalities()
    fy2021, fy2022, fy2023 = m[:5], m[:19], m[15:35]
    fy2024 = m[30:57] + m[:14]
    support(tenant, 2021, fy2021)
    support(tenant, 2022, fy2022)
    support(tenant, 2023, fy2023)
    support(tenant, 2024, fy2024[:5], state=EngagementState.COMPLETED)
    support(tenant, 2024, fy2024[5:], state=EngagementState.ASSIGNED)
    support(tenant, 2024, fy2024[:4], state=EngagementState.ASSIGNED)  # second projects: 45 in 41
    cancel(support(tenant, 2024, [m[58]], state=EngagementState.ASSIGNED)[0])
    return m, {2021: fy2021, 2022: fy2022, 2023: fy2023, 2024: fy2024}


def test_scenario_7_distinct_municipalities_not_a_sum(app):
    with in_tenant(app) as tenant:
        m, years = _scenario_7(tenant)
        s = coverage_summary(tenant, 2024)
        covered = {x.id for fy in (2022, 2023, 2024) for x in years[fy]}
        assert s.window == (2022, 2024)
        assert s.municipalities_total == 59
        assert s.by_year == {2022: 19, 2023: 20, 2024: 41}
        assert s.engagements_by_year == {2022: 19, 2023: 20, 2024: 45}
        assert s.covered_in_window == len(covered) < sum(s.by_year.values())
        assert s.coverage_percent == round(len(covered) * 100 / 59, 1)
        assert [x.id for x in s.never_supported_in_window] == [x.id for x in m if x.id not in covered]
        assert m[58] in s.never_supported_in_window  # its only engagement was cancelled


def test_plan_and_actual_are_kept_apart(app):
    with in_tenant(app) as tenant:
        _scenario_7(tenant)
        figures = {f.fiscal_year: f for f in coverage_summary(tenant, 2024).years}
        assert (figures[2024].municipalities, figures[2024].engagements) == (41, 45)
        assert (figures[2024].completed, figures[2024].completed_municipalities) == (5, 5)
        assert (figures[2022].engagements, figures[2022].completed) == (19, 19)


def test_priority_next_uses_the_lookback_before_the_next_year(app):
    with in_tenant(app) as tenant:
        m, years = _scenario_7(tenant)
        s = coverage_summary(tenant, 2024)
        recent = {x.id for fy in lookback_years(2025, 2) for x in years.get(fy, [])}
        assert (s.priority_fiscal_year, s.priority_lookback) == (2025, 2)
        assert [x.id for x in s.priority_next] == [x.id for x in m if x.id not in recent]
        assert m[0] not in s.priority_next and m[14] in s.priority_next  # m[14]: FY2022 only


def test_priority_lookback_comes_from_the_next_call(app):
    with in_tenant(app) as tenant:
        m, years = _scenario_7(tenant)
        call_for(tenant, 2025).priority_lookback_years = 1
        s = coverage_summary(tenant, 2024)
        fy2024 = {x.id for x in years[2024]}
        assert s.priority_lookback == 1
        assert [x.id for x in s.priority_next] == [x.id for x in m if x.id not in fy2024]


def test_window_comes_from_the_call_then_the_tenant_rule(app):
    with in_tenant(app) as tenant:
        m, years = _scenario_7(tenant)
        call_for(tenant, 2024).coverage_window_years = 2
        s = coverage_summary(tenant, 2024)
        assert s.window == (2023, 2024)
        assert s.covered_in_window == len({x.id for fy in (2023, 2024) for x in years[fy]})
        assert coverage_summary(tenant, 2030).window == (2030 - tenant.rule("coverage_window_years") + 1, 2030)


def test_breakdowns_by_region_area_and_evacuation_area(app):
    with in_tenant(app) as tenant:
        m, years = _scenario_7(tenant)
        s = coverage_summary(tenant, 2024)
        covered = {x.id for x in s.never_supported_in_window} ^ {x.id for x in m}
        regions = tenant.rule("region_order")  # the display order of tenant.toml
        assert list(s.by_region) == regions and len(regions) == 7
        for name, (total, hit) in s.by_region.items():
            assert total == sum(1 for x in m if x.region == name)
            assert hit == sum(1 for x in m if x.region == name and x.id in covered)
        assert set(s.by_area) == {"中通り", "会津", "浜通り"}
        assert sum(total for total, _ in s.by_area.values()) == 59
        evacuation = [x for x in m if x.is_evacuation_area]
        assert (s.focus_group.label, s.focus_group.pair) == ("避難地域12市町村", (12, sum(1 for x in evacuation if x.id in covered)))


def test_region_order_rule_overrides_master_list_order(app):
    with in_tenant(app) as tenant:
        order = ["県北", "県中", "県南", "会津", "南会津", "相双", "いわき"]
        tenant.rules = {**tenant.rules, "region_order": order}
        s = coverage_summary(tenant, 2024)
        assert list(s.by_region) == order
        assert [region for region, _ in s.matrix] == order


def test_matrix_columns_and_cells(app):
    with in_tenant(app) as tenant:
        m, years = _scenario_7(tenant)
        s = coverage_summary(tenant, 2024)
        assert s.matrix_years == [2021, 2022, 2023, 2024]  # FY2021 has engagements, before the window
        rows = {row.municipality.id: row for _, group in s.matrix for row in group}
        assert len(rows) == 59
        assert rows[m[0].id].cells == [1, 1, 0, 1]
        assert rows[m[30].id].cells == [0, 0, 1, 2]  # a second project in FY2024
        assert rows[m[58].id].cells == [0, 0, 0, 0] and not rows[m[58].id].covered
        assert all(row.municipality.region == region for region, group in s.matrix for row in group)


def test_matrix_has_no_earlier_column_without_engagements(app):
    with in_tenant(app) as tenant:
        support(tenant, 2024, municipalities()[:1])
        assert coverage_summary(tenant, 2024).matrix_years == [2022, 2023, 2024]


def test_default_fiscal_year(app):
    with in_tenant(app) as tenant:
        assert default_fiscal_year(tenant) == fiscal_year_of(today_jst())
        call_for(tenant, 2022)
        call_for(tenant, 2024)
        assert default_fiscal_year(tenant) == 2024
        assert coverage_summary(tenant).fiscal_year == 2024


def test_is_priority():
    assert is_priority(set(), 2024, 2)
    assert is_priority({2021}, 2024, 2)
    assert not is_priority({2022}, 2024, 2)
    assert not is_priority({2023}, 2024, 2)
    assert is_priority({2024}, 2024, 2)


def test_statement_count_does_not_grow_with_the_data(app):
    with in_tenant(app) as tenant:
        support(tenant, 2024, municipalities()[:1])
        db.session.commit()
        with count_statements(db.engine) as few:
            coverage_summary(tenant, 2024)
        m = municipalities()
        support(tenant, 2022, m[:30])
        support(tenant, 2023, m[20:59])
        support(tenant, 2024, m[1:59])
        db.session.commit()
        with count_statements(db.engine) as many:
            coverage_summary(tenant, 2024)
        assert len(few) == len(many) <= 4


def test_other_tenants_engagements_are_not_counted(app):
    from tests.coverage.builders import other_tenant
    from app.tenancy.scoping import tenant_scope
    from app.tenancy.models import Organisation

    with in_tenant(app) as tenant:
        other = other_tenant()
        with tenant_scope(other.id):
            shizuoka = db.session.scalars(sa.select(Organisation).where(Organisation.tenant_id == other.id)).all()
            support(other, 2024, shizuoka)
            s_other = coverage_summary(other, 2024)
        s = coverage_summary(tenant, 2024)
        assert (s.municipalities_total, s.covered_in_window) == (59, 0)
        assert (s_other.municipalities_total, s_other.covered_in_window) == (1, 1)


def test_window_edges_across_fiscal_years_and_repeat_support(app):
    with in_tenant(app) as tenant:
        m = municipalities()
        support(tenant, 2021, [m[0]])  # only before the FY2024 window (FY2022–FY2024)
        support(tenant, 2022, [m[1]])  # the window's first year
        support(tenant, 2022, [m[2]])
        support(tenant, 2024, [m[2], m[2]])  # repeat support: one municipality, three engagements
        in_2024, in_2023 = coverage_summary(tenant, 2024), coverage_summary(tenant, 2023)
        assert in_2024.window == (2022, 2024) and in_2023.window == (2021, 2023)
        assert in_2024.covered_in_window == 2 and m[0] in in_2024.never_supported_in_window
        assert in_2023.covered_in_window == 3 and m[0] not in in_2023.never_supported_in_window
        assert in_2024.engagements_by_year[2024] == 2 and in_2024.by_year[2024] == 1
