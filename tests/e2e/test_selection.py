"""The Fukushima FY2024 demo call through the optimiser, in the browser (issue 3, done when): a
reviewer scores an application, the operator re-runs the optimiser, sees the what-if coverage and a
reason on every line, and confirms; the municipality reads its 決定通知; a provider declines and the
operator promotes the next best from the waitlist. Screenshots: test-artifacts/e2e/."""
import re

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.calls.models import Call
from app.engagements.models import Engagement
from app.engagements.states import EngagementState
from app.extensions import db
from app.menus.models import MenuItem
from app.selection.models import Allocation
from seed.demo import seed_demo
from tests.conftest import in_tenant
from tests.e2e.conftest import Actor
from tests.e2e.test_cycle import _click, _declare_and_score

pytestmark = pytest.mark.e2e
PASSWORD = "demo-pass-2024"
KORIYAMA = "072036"


@pytest.fixture
def fy2024(app):
    """The demo with FY2024 stopped at the optimiser's proposal (選定・決定, nothing confirmed)."""
    with app.app_context():
        seed_demo(confirm_fy2024=False)
        db.session.commit()
    with in_tenant(app) as tenant:
        call = db.session.scalar(sa.select(Call).where(Call.tenant_id == tenant.id, Call.fiscal_year == 2024))
        return {"call": call.id}


def _actor(browser, live_server, name, email):
    actor = Actor(browser, live_server, name)
    actor.login(email, PASSWORD)
    return actor


def _allocations(app):
    with in_tenant(app):
        return db.session.scalars(sa.select(Allocation).order_by(Allocation.id)).all()


def test_fy2024_selection_is_optimised_explained_confirmed_and_followed_up(browser, live_server, app, fy2024):
    selection_path = f"/t/fukushima/calls/{fy2024['call']}/selection"

    # a reviewer scores one more application (declaration first, a justification per criterion)
    reviewer = _actor(browser, live_server, "6-reviewer", "reviewer@demo.example")
    page = reviewer.go("/t/fukushima/reviews")
    unreviewed = page.locator("tr", has_text="未申告")
    unreviewed.locator("a[href*='/reviews/applications/']").first.click()
    page.wait_for_load_state()
    _declare_and_score(reviewer, "5")

    # the operator re-runs the optimiser: within budget, a reason on every line, the score shown
    operator = _actor(browser, live_server, "6-operator", "operator@demo.example")
    page = operator.go(selection_path)
    _click(page, "選定案を作成（最適化で再計算）")
    summary = page.locator("ul.summary").first.inner_text()
    assert re.search(r"45\s*選定件数", summary) and re.search(r"41\s*選定市町村数", summary), summary
    assert "69,525" in summary
    assert "確定した場合のカバー率（令和4年度〜令和6年度）" in page.content()
    allocations = _allocations(app)
    assert len(allocations) == 47 and all(a.reason.startswith(("選定", "非選定")) for a in allocations)
    assert any("評点100" in a.reason for a in allocations)  # the score just given (5 of 5) is in a reason
    reasons = page.locator("table.table tbody tr td:nth-child(6)").all_inner_texts()
    assert reasons and all(r.strip() for r in reasons)
    operator.shot("fy2024-proposal-what-if")

    _click(page, "選定を確定する")
    assert "が確定しました" in page.content()
    operator.shot("fy2024-confirmed")

    # the municipality reads its decision notice
    municipal = _actor(browser, live_server, "6-municipal", f"municipal-{KORIYAMA}@demo.example")
    page = municipal.go("/t/fukushima/notices")
    page.locator("a[href*='/notices/']").first.click()
    page.wait_for_load_state()
    assert "決定通知書" in page.content() and "郡山市" in page.content()
    municipal.shot("notice")

    # the provider of item No.1 declines one assignment; the operator promotes the next best from
    # the waitlist (the two municipalities that asked for No.1 alone)
    with in_tenant(app):
        engagement = db.session.scalar(
            sa.select(Engagement).join(MenuItem, MenuItem.id == Engagement.menu_item_id)
            .where(Engagement.state == EngagementState.ASSIGNED, MenuItem.number == 1).order_by(Engagement.id))
        email = db.session.scalar(sa.select(User.email).where(User.organisation_id == engagement.provider_id,
                                                              User.role == Role.PROVIDER).order_by(User.id))
        engagement_id = engagement.id
    provider = _actor(browser, live_server, "6-provider", email)
    page = provider.go(f"/t/fukushima/engagements/{engagement_id}")
    page.get_by_label("辞退の理由").fill("当該市町村の現行システムを受託しており、中立性を確保できないため（サンプル）")
    _click(page, "辞退する")
    assert "辞退" in page.content()
    provider.shot("declined")

    page = operator.go(f"/t/fukushima/calls/{fy2024['call']}/waitlist")
    assert "繰上げ候補" in page.content()
    operator.shot("waitlist")
    page.get_by_role("button", name=re.compile("を繰上げ選定する")).first.click()
    page.wait_for_load_state()
    assert page.locator(".flash-error").count() == 0
    with in_tenant(app):
        promoted = db.session.scalar(sa.select(sa.func.count(Allocation.id)).where(Allocation.reason.like("選定（繰上げ）%")))
    assert promoted == 1
