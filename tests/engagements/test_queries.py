import datetime as dt

import pytest
import sqlalchemy as sa

from app.auth.models import User
from app.core.clock import JST
from app.engagements import overdue, queries, services
from app.engagements.states import EngagementState
from app.extensions import db
from tests.conftest import in_tenant
from tests.engagements import builders


def _user(email):
    return db.session.scalar(sa.select(User).where(User.email == email))


@pytest.mark.parametrize(("days_since", "stale"), [(27, False), (28, False), (29, True)])
def test_stale_at_the_four_week_boundary_of_the_last_session(app, days_since, stale):
    today = dt.date(2024, 12, 1)
    with in_tenant(app) as t:
        assert t.rule("stale_after_weeks") == 4  # tenants/fukushima/tenant.toml
        builders.users(t)
        e = builders.started(t)
        builders.log(e, held_on=today - dt.timedelta(days=days_since))
        assert queries.count_stale(_user("prov@example.jp"), t, today) == int(stale)
        assert queries.count_stale(_user("op@example.jp"), t, today) == int(stale)
        assert queries.count_stale(_user("other-prov@example.jp"), t, today) == 0
        assert bool(overdue.stale_reasons(e, t, today)) == stale


def test_stale_without_sessions_counts_from_the_kickoff(app):
    with in_tenant(app) as t:
        builders.users(t)
        e = builders.started(t)
        kicked_off = e.kickoff_at.astimezone(JST).date()
        provider = _user("prov@example.jp")
        assert queries.count_stale(provider, t, kicked_off + dt.timedelta(weeks=4)) == 0
        assert queries.count_stale(provider, t, kicked_off + dt.timedelta(weeks=4, days=1)) == 1


def test_stale_when_planned_dates_pass_without_sessions(app):
    with in_tenant(app) as t:
        builders.users(t)
        e = builders.engagement(t, state=EngagementState.ACCEPTED)
        builders.start(e, planned_sessions=3, planned_dates=[dt.date(2024, 7, 1), dt.date(2024, 7, 20)])
        builders.log(e, held_on=dt.date(2024, 7, 1))
        provider = _user("prov@example.jp")
        assert queries.count_stale(provider, t, dt.date(2024, 7, 20)) == 0  # second date is today: not yet due
        assert overdue.stale_reasons(e, t, dt.date(2024, 7, 21)) == ["予定日を過ぎても予定回数の支援が記録されていません"]
        assert queries.engagement_page(provider, t, stale_only=True, today=dt.date(2024, 7, 21)).total == 1
        builders.log(e, held_on=dt.date(2024, 7, 21))
        assert queries.engagement_page(provider, t, stale_only=True, today=dt.date(2024, 7, 21)).total == 0


def test_list_flags_stale_rows_and_filters_them(app):
    with in_tenant(app) as t:
        builders.users(t)
        quiet = builders.started(t)
        builders.log(quiet, held_on=dt.date(2024, 9, 1))
        busy = builders.started(t, lg_code=builders.AIZU)
        builders.log(busy, held_on=dt.date(2024, 11, 20))
        operator, today = _user("op@example.jp"), dt.date(2024, 12, 1)
        rows = {r.engagement.id: r.is_stale for r in queries.engagement_page(operator, t, today=today).items}
        assert rows == {quiet.id: True, busy.id: False}
        assert [r.engagement.id for r in queries.engagement_page(operator, t, stale_only=True, today=today).items] == [quiet.id]


def test_report_due_date_and_overdue_boundary(app):
    with in_tenant(app) as t:
        builders.users(t)
        e = builders.started(t)
        services.confirm_session(builders.log(e), actor=None)
        services.complete_engagement(e, actor=None)
        completed_on = e.completed_at.astimezone(JST).date()
        due = overdue.report_due_on(e, t)
        assert due == completed_on + dt.timedelta(days=30)
        operator = _user("op@example.jp")
        assert queries.count_reports_due(_user("prov@example.jp"), t) == 1
        assert queries.count_reports_overdue(operator, t, due) == 0
        assert queries.count_reports_overdue(operator, t, due + dt.timedelta(days=1)) == 1
        report = services.submit_report(e, actor=None, summary="概要")
        assert queries.count_reports_overdue(operator, t, due + dt.timedelta(days=1)) == 0
        services.decide_report(report, actor=None, accept=False, reason="追記")
        assert queries.count_reports_overdue(operator, t, due + dt.timedelta(days=1)) == 1  # returned: due again
        assert queries.count_reports_due(_user("prov@example.jp"), t) == 1


def test_reports_due_include_returned_ones(app):
    with in_tenant(app) as t:
        builders.users(t)
        provider = _user("prov@example.jp")
        fresh = builders.engagement(t, state=EngagementState.ACCEPTED)
        builders.log(fresh)
        assert queries.count_reports_due(provider, t) == 0  # not completed yet
        report = builders.finish(fresh)
        assert queries.count_reports_due(provider, t) == 0 and queries.count_reports_to_review(t) == 1
        services.decide_report(report, actor=None, accept=False, reason="追記")
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
