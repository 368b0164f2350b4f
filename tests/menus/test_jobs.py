"""The proposal-window job: every provider's staff is told once that 支援メニュー提案受付 is open,
not before the operator opens the phase, not again on a re-run."""
import sqlalchemy as sa

from app.auth.models import Role
from app.calls.queries import call_for_year
from app.calls.services import create_call
from app.calls.states import CallPhase
from app.extensions import db
from app.menus.jobs import PROPOSALS_OPEN
from app.notifications.models import Notification
from app.scheduling import run_job
from tests import factories
from tests.applications.builders import advance
from tests.calls.test_jobs import at
from tests.conftest import in_tenant


def _orgs(app) -> list[int]:
    with in_tenant(app):
        return list(db.session.scalars(sa.select(Notification.organisation_id).where(Notification.kind == PROPOSALS_OPEN)))


def _run(app, day: str):
    with app.app_context():
        return run_job("menus.proposals_open", now=at(day), tenant_slugs=["fukushima"])[0]


def test_every_provider_is_told_once_when_the_proposal_window_opens(app):
    with in_tenant(app) as tenant:
        create_call(tenant, fiscal_year=2025, budget_thousand_yen=10_000, actor=None)
        providers = [factories.provider(tenant, name) for name in ("A情報株式会社", "B情報株式会社")]
        for i, org in enumerate(providers):
            factories.user(tenant, Role.PROVIDER, f"p{i}@example.jp", org)
        factories.user(tenant, Role.MUNICIPAL, "m@example.jp", factories.municipality("072010"))
        db.session.commit()
        expected = sorted(o.id for o in providers)
    assert _run(app, "2025-03-01").summary.startswith("提案受付開始のお知らせ 0 件"), "not before the phase opens"
    with in_tenant(app) as tenant:
        advance(call_for_year(tenant, 2025), CallPhase.PROPOSALS)
        db.session.commit()
    _run(app, "2025-03-02")
    assert sorted(_orgs(app)) == expected, "providers only, one each"
    _run(app, "2025-03-03")
    assert sorted(_orgs(app)) == expected
