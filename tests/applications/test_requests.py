"""派遣依頼 of the sample tenants, under their own rules: Shizuoka-style quota of 5 per body and
fiscal year (003:1646) counting pending and approved requests; Miyagi-style on demand, no quota."""
import pytest
import sqlalchemy as sa

from app.applications.requests import (
    ApplicationError,
    approve_request,
    decline_request,
    dispatch_count,
    submit_request,
    withdraw_request,
)
from app.applications.states import ApplicationState
from app.calls.states import CallModel, CallPhase
from app.engagements.models import Engagement
from app.extensions import db
from tests.applications.request_builders import body, request_call, sync_sample
from tests.conftest import in_tenant

SHIZUOKA, MIYAGI = "shizuoka-sample", "miyagi-sample"
THEME = "情報セキュリティ研修"
QUOTA_MESSAGE = "派遣の依頼は1団体につき年度内5回までです（令和8年度：審査中・承認済あわせて5件）。"


@pytest.fixture
def shizuoka(app):
    sync_sample(app, SHIZUOKA)
    return app


@pytest.fixture
def miyagi(app):
    sync_sample(app, MIYAGI)
    return app


def _file(call, items, name: str, theme: str = THEME):
    return submit_request(call, body(name), actor=None, menu_item=items[theme], issue="研修を開きたい。", desired_timing="10月")


def test_a_continuous_call_opens_for_requests_with_the_experts_themes(shizuoka):
    with in_tenant(shizuoka, SHIZUOKA) as tenant:
        call, items = request_call(tenant)
        assert (call.call_model, call.phase, call.max_dispatches_per_body) == (CallModel.CONTINUOUS, CallPhase.SUPPORT, 5)
        assert call.takes_requests and call.menu_published_at is not None and not call.windows
        assert len(items) == 8 and items[THEME].provider.name == "ICTエキスパートC（サンプル）"


def test_a_body_files_five_requests_and_the_sixth_is_refused(shizuoka):
    with in_tenant(shizuoka, SHIZUOKA) as tenant:
        call, items = request_call(tenant)
        for _ in range(5):
            assert _file(call, items, "サンプル東市").state == ApplicationState.SUBMITTED
        with pytest.raises(ApplicationError) as refused:
            _file(call, items, "サンプル東市")
        assert str(refused.value) == QUOTA_MESSAGE
        assert dispatch_count(call, body("サンプル東市").id) == 5
        _file(call, items, "サンプル東市教育委員会")  # the quota is per body (1団体につき)


def test_the_quota_resets_in_the_next_fiscal_year(shizuoka):
    with in_tenant(shizuoka, SHIZUOKA) as tenant:
        call, items = request_call(tenant, 2026)
        for _ in range(5):
            _file(call, items, "サンプル中央市商工会")
        following, following_items = request_call(tenant, 2027)
        assert _file(following, following_items, "サンプル中央市商工会").call_id == following.id


def test_declined_and_withdrawn_requests_free_the_quota(shizuoka):
    with in_tenant(shizuoka, SHIZUOKA) as tenant:
        call, items = request_call(tenant)
        filed = [_file(call, items, "サンプル西町") for _ in range(5)]
        decline_request(filed[0], actor=None, reason="日程が合わないため")
        withdraw_request(filed[1], actor=None)
        _file(call, items, "サンプル西町")
        _file(call, items, "サンプル西町")
        with pytest.raises(ApplicationError, match="年度内5回まで"):
            _file(call, items, "サンプル西町")


def test_approval_creates_the_engagement_with_the_expert(shizuoka):
    with in_tenant(shizuoka, SHIZUOKA) as tenant:
        call, items = request_call(tenant)
        request = _file(call, items, "サンプル東市教育委員会", "ICTリテラシー教室（学生向け）")
        engagement = approve_request(request, actor=None, note="11月に実施")
        assert request.state == ApplicationState.SELECTED and request.decision_reason == "11月に実施"
        assert (engagement.application_id, engagement.municipality_id) == (request.id, body("サンプル東市教育委員会").id)
        assert engagement.provider.name == "ICTエキスパートA（サンプル）" and engagement.fiscal_year == 2026


def test_approval_enforces_the_quota_too(shizuoka):
    with in_tenant(shizuoka, SHIZUOKA) as tenant:
        call, items = request_call(tenant)
        filed = [_file(call, items, "サンプル北町") for _ in range(3)]
        call.max_dispatches_per_body = 2  # e.g. the office lowered the limit after the requests came in
        approve_request(filed[0], actor=None)
        approve_request(filed[1], actor=None)
        with pytest.raises(ApplicationError, match="上限（2回）に達しているため承認できません"):
            approve_request(filed[2], actor=None)


def test_decline_needs_a_reason(shizuoka):
    with in_tenant(shizuoka, SHIZUOKA) as tenant:
        call, items = request_call(tenant)
        request = _file(call, items, "サンプル東市")
        with pytest.raises(ApplicationError, match="不承認の理由"):
            decline_request(request, actor=None, reason="  ")
        decline_request(request, actor=None, reason="講師の日程が合わないため")
        assert (request.state, request.decision_reason) == (ApplicationState.NOT_SELECTED, "講師の日程が合わないため")


def test_miyagi_takes_requests_on_demand_without_a_quota(miyagi):
    with in_tenant(miyagi, MIYAGI) as tenant:
        call, items = request_call(tenant)
        assert (call.call_model, call.max_dispatches_per_body) == (CallModel.ON_DEMAND, None)
        assert {i.provider.name for i in items.values()} == {"推進アドバイザー（サンプル）"}
        filed = [_file(call, items, "サンプル港市", "技術的相談に対する助言・支援") for _ in range(12)]
        for request in filed:
            approve_request(request, actor=None)
        count = db.session.scalar(sa.select(sa.func.count(Engagement.id)).where(Engagement.tenant_id == tenant.id))
        assert count == 12


def test_only_the_tenants_applicant_kinds_may_request(miyagi, shizuoka):
    with in_tenant(shizuoka, SHIZUOKA) as tenant:
        call, items = request_call(tenant)
        with pytest.raises(ApplicationError, match="依頼できる団体ではありません"):
            submit_request(call, body("ICTエキスパートA（サンプル）"), actor=None, menu_item=items[THEME], issue="x")


def test_an_annual_call_takes_no_requests(app):
    from tests import factories
    from tests.applications.builders import call_with_menu

    with in_tenant(app) as tenant:
        call, menu = call_with_menu(tenant)
        with pytest.raises(ApplicationError, match="派遣の依頼を受け付けていません"):
            submit_request(call, factories.municipality("072010"), actor=None, menu_item=menu[0], issue="x")


def test_coverage_counts_only_municipalities(shizuoka):
    from app.coverage.queries import coverage_summary

    with in_tenant(shizuoka, SHIZUOKA) as tenant:
        call, items = request_call(tenant)
        approve_request(_file(call, items, "サンプル東市教育委員会"), actor=None)
        summary = coverage_summary(tenant, 2026)
        assert (summary.municipalities_total, summary.covered_in_window) == (4, 0)
        approve_request(_file(call, items, "サンプル東市"), actor=None)
        assert coverage_summary(tenant, 2026).covered_in_window == 1
