"""One whole fiscal year through the UI, as the four roles would do it in their own browsers
(issue: the whole yearly cycle end to end). Screenshots: test-artifacts/e2e/."""
import re

import pytest

from app.auth.models import Role
from app.extensions import db
from tests import factories
from tests.conftest import in_tenant
from tests.e2e import steps
from tests.e2e.conftest import Actor

pytestmark = pytest.mark.e2e
FUKUSHIMA_CITY = "072010"


@pytest.fixture
def people(app):
    with in_tenant(app) as tenant:
        provider = factories.provider(tenant, "サンプル情報システム株式会社")
        factories.user(tenant, Role.OPERATOR, "operator@example.jp", name="県 担当")
        factories.user(tenant, Role.REVIEWER, "reviewer@example.jp", name="審査 担当")
        factories.user(tenant, Role.PROVIDER, "provider@example.jp", provider, name="企業 担当")
        factories.user(tenant, Role.MUNICIPAL, "municipal@example.jp", factories.municipality(FUKUSHIMA_CITY), name="市 担当")
        db.session.commit()


def _actor(browser, live_server, name, email):
    actor = Actor(browser, live_server, name)
    actor.login(email, factories.PASSWORD)
    return actor


def _click(page, name):
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()


def _advance(operator, call_path):
    page = operator.go(call_path)
    page.get_by_role("button", name=re.compile("次のフェーズ")).click()
    page.wait_for_load_state()
    assert page.locator(".flash-error").count() == 0, page.locator(".flash-error").inner_text()


def _declare_and_score(reviewer, points: str):
    """Declare no conflict of interest first (the item is shown only then), then score every
    criterion with its mandatory justification."""
    page = reviewer.page
    page.get_by_label("利害関係はありません").check()
    _click(page, "申告する")
    for select in page.locator("select").all():
        select.select_option(points)
    for reason in page.get_by_label(re.compile("の評価理由")).all():
        reason.fill("課題と提案内容が具体的に対応している（サンプル）")
    reviewer.shot("score")
    _click(page, "採点を保存")
    assert page.locator(".flash-error").count() == 0


def test_a_fiscal_year_from_call_to_published_case(browser, live_server, people):
    operator = _actor(browser, live_server, "1-operator", "operator@example.jp")
    provider = _actor(browser, live_server, "2-provider", "provider@example.jp")
    reviewer = _actor(browser, live_server, "3-reviewer", "reviewer@example.jp")
    municipal = _actor(browser, live_server, "4-municipal", "municipal@example.jp")

    # operator: the FY2024 call, straight to proposals
    page = operator.go("/t/fukushima/calls")
    page.get_by_label("年度（西暦の開始年）").fill("2024")
    page.get_by_label("予算額（千円）").fill("69545")
    _click(page, "募集を作成")
    call_path = re.search(r"/t/fukushima/calls/\d+", page.url).group(0)
    assert "令和6年度" in page.content()
    _click(page, "アンケートを省略して提案受付へ")
    operator.shot("call-proposals")

    # provider: propose a menu item and submit it
    page = provider.go("/t/fukushima/proposals/new")
    page.get_by_label("件名").fill("情報セキュリティポリシー見直し")
    page.get_by_label("情報セキュリティ", exact=True).check()
    page.get_by_label("内容").fill("国のガイドラインに沿ってポリシーを見直します。")
    page.get_by_label("対応可能な市町村数").fill("3")
    page.get_by_label("1件あたりの費用（千円）").fill("1545")
    provider.shot("proposal-form")
    _click(page, "下書き保存")
    _click(page, "提出する")
    provider.shot("proposal-submitted")

    # reviewer scores it during the review phase
    _advance(operator, call_path)
    page = reviewer.go("/t/fukushima/reviews")
    page.get_by_role("link", name=re.compile("情報セキュリティポリシー見直し")).first.click()
    _declare_and_score(reviewer, "4")

    # operator adopts and publishes the numbered menu, then opens applications
    page = operator.go(call_path + "/proposals")
    page.get_by_role("link", name=re.compile("情報セキュリティポリシー見直し")).first.click()
    page.get_by_label("採択", exact=True).check()
    _click(page, "決定する")
    page = operator.go(call_path + "/proposals")
    _click(page, re.compile("番号付けして公開する"))
    operator.shot("menu-published")
    _advance(operator, call_path)
    assert "1項目" in operator.go("/t/fukushima/menu").content()

    # municipal: apply with a ranked choice and the issue
    page = municipal.go("/t/fukushima/applications/new")
    page.get_by_label("第1希望").select_option(index=1)
    page.get_by_label("課題").fill("セキュリティポリシーが古く、クラウド利用に対応していない。")
    municipal.shot("application-form")
    _click(page, "下書き保存")
    _click(page, "提出する")
    assert "提出済" in page.content()
    municipal.shot("application-submitted")

    # operator: selection proposal with the priority rule, confirm, support starts
    _advance(operator, call_path)
    page = operator.go(call_path + "/selection")
    _click(page, "選定案を作成")
    assert "優先" in page.content()
    operator.shot("selection-proposal")
    _click(page, "選定を確定する")
    _advance(operator, call_path)

    # provider accepts; then, on a phone: kickoff (agreed by the municipality), a session with an
    # attachment, completion and the 実績報告; the municipality confirms and answers the survey;
    # the case is drafted from those records, approved by both sides and published (issue 4)
    page = provider.go("/t/fukushima/engagements")
    page.get_by_role("link", name=re.compile("福島市")).first.click()
    _click(page, "この支援案件を受諾する")
    path = page.url.removeprefix(live_server)
    phone = steps.PhoneActor(browser, live_server, "2-provider-phone")
    phone.login("provider@example.jp", factories.PASSWORD)
    steps.record_kickoff(phone, municipal, path)
    steps.log_session(phone, path)
    steps.complete_and_report(phone, municipal, operator, path)
    steps.answer_survey(municipal, path)
    case_path = steps.draft_case(operator, path)
    steps.approve_and_publish(municipal, phone, operator, case_path)

    # anyone: the case collection with its booklet, the menu and the coverage
    visitor = Actor(browser, live_server, "5-visitor")
    steps.visit_library(visitor)
    page = visitor.go("/t/fukushima/coverage?fiscal_year=2024")
    assert "福島市" in page.content()
    visitor.shot("coverage")
