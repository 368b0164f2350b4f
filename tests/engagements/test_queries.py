import datetime as dt

import sqlalchemy as sa

from app.auth.models import User
from app.engagements import queries, services
from app.engagements.states import EngagementState
from app.extensions import db
from tests.conftest import in_tenant
from tests.engagements import builders


def _user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_stale_engagements_are_those_without_a_session_for_four_weeks(app):
    with in_tenant(app) as t:
        builders.users(t)
        recent = builders.engagement(t, state=EngagementState.ACCEPTED)
        builders.log(recent, held_on=dt.date(2024, 11, 10))
        old = builders.engagement(t, state=EngagementState.ACCEPTED, lg_code=builders.AIZU)
        builders.log(old, held_on=dt.date(2024, 10, 1))
        builders.engagement(t, state=EngagementState.IN_PROGRESS, lg_code="072036")  # never logged
        provider = _user("prov@example.jp")
        assert queries.count_stale(provider, t, dt.date(2024, 12, 1)) == 2
        assert queries.count_stale(provider, t, dt.date(2024, 12, 9)) == 3
        assert queries.count_stale(_user("other-prov@example.jp"), t, dt.date(2024, 12, 9)) == 0


def test_reports_due_include_returned_ones(app):
    with in_tenant(app) as t:
        builders.users(t)
        provider = _user("prov@example.jp")
        fresh = builders.engagement(t, state=EngagementState.ACCEPTED)
        builders.log(fresh)
        assert queries.count_reports_due(provider, t) == 1
        services.submit_report(fresh, actor=None, summary="概要")
        assert queries.count_reports_due(provider, t) == 0 and queries.count_reports_to_review(t) == 1
        services.decide_report(services.report_of(fresh), actor=None, accept=False, reason="追記")
        assert queries.count_reports_due(provider, t) == 1 and queries.count_reports_to_review(t) == 0


def test_visibility_and_filters_of_the_list(app):
    with in_tenant(app) as t:
        builders.users(t)
        builders.engagement(t)
        builders.engagement(t, lg_code=builders.AIZU, provider_name="別の会員企業株式会社")
        builders.engagement(t, fiscal_year=2023, state=EngagementState.CLOSED)
        operator, municipal = _user("op@example.jp"), _user("other-muni@example.jp")
        assert queries.engagement_page(operator, t).total == 3
        assert queries.engagement_page(operator, t, fiscal_year=2023).total == 1
        assert queries.engagement_page(operator, t, state=EngagementState.ASSIGNED).total == 2
        assert [r.engagement.municipality.name for r in queries.engagement_page(municipal, t).items] == ["会津若松市"]
        assert queries.engagement_page(_user("rev@example.jp"), t).total == 0
        assert queries.engagement_fiscal_years(operator, t) == [2024, 2023]
