"""What-if coverage (issue 3 item 3): coverage in the window now and with a proposed selection."""
from app.coverage.what_if import coverage_what_if
from app.engagements.states import EngagementState
from tests.conftest import in_tenant
from tests.coverage.builders import call_for, cancel, municipalities, support


def test_proposal_adds_only_municipalities_not_yet_covered_in_the_window(app):
    with in_tenant(app) as tenant:
        m = municipalities()
        call_for(tenant, 2024)
        support(tenant, 2021, m[:3])  # before the FY2022–FY2024 window: does not count
        support(tenant, 2022, m[3:13])
        support(tenant, 2023, m[10:20])
        cancel(support(tenant, 2023, [m[40]], state=EngagementState.ASSIGNED)[0])  # cancelled: never counts
        proposed = {x.id for x in m[15:25]} | {m[0].id, m[40].id}  # 5 already covered, 7 new
        result = coverage_what_if(tenant, 2024, proposed)
        assert result.window == (2022, 2024)
        assert (result.before.covered, result.before.total) == (17, 59)
        assert result.after.covered == 17 + 7
        assert {x.id for x in result.newly_covered} == {x.id for x in m[20:25]} | {m[0].id, m[40].id}
        assert len(result.after.never_supported) == 59 - 24
        assert all(x.id not in proposed for x in result.after.never_supported)


def test_breakdowns_add_up_and_keep_the_tenant_order(app):
    with in_tenant(app) as tenant:
        m = municipalities()
        call_for(tenant, 2024)
        support(tenant, 2023, m[:5])
        result = coverage_what_if(tenant, 2024, {x.id for x in m[5:30]})
        assert list(result.before.by_region) == tenant.rule("region_order")
        assert list(result.after.by_area) == tenant.rule("area_order")
        for state in (result.before, result.after):
            assert sum(t for t, _ in state.by_region.values()) == 59
            assert sum(c for _, c in state.by_region.values()) == state.covered
            assert sum(c for _, c in state.by_area.values()) == state.covered
        assert result.after.covered == 30
        assert len(result.rows) == len(result.before.by_region) + len(result.before.by_area)


def test_an_empty_proposal_changes_nothing(app):
    with in_tenant(app) as tenant:
        m = municipalities()
        call_for(tenant, 2024)
        support(tenant, 2022, m[:2])
        result = coverage_what_if(tenant, 2024, set())
        assert result.before == result.after and result.newly_covered == []
