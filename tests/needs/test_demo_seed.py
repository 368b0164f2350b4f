"""The demo holds a FY2025 needs-survey round and the survey requests of completed engagements."""
import sqlalchemy as sa

from app.engagements.models import Engagement
from app.engagements.states import EngagementState
from app.extensions import db
from app.needs import queries
from app.surveys.models import SurveyRequest, SurveyResponse
from tests.conftest import in_tenant


def test_demo_needs_round_and_survey_requests(demo_app):
    with in_tenant(demo_app) as t:
        round_ = queries.round_of_year(t, 2025)
        responses, missing = queries.answer_status(t, round_)
        assert (len(responses), len(missing)) == (30, 29) and all(r.is_sample for r in responses)
        # every FY2024 engagement that reached 支援完了 was sent the survey; history records were not
        completed = sa.select(sa.func.count(Engagement.id)).where(
            Engagement.fiscal_year == 2024, Engagement.state.in_([EngagementState.COMPLETED, EngagementState.CLOSED]))
        asked = db.session.scalars(sa.select(SurveyRequest)).all()
        assert len(asked) == db.session.scalar(completed) > 20
        assert {r.engagement.fiscal_year for r in asked} == {2024}
        solved = db.session.scalars(sa.select(SurveyResponse.is_problem_solved)).all()
        assert len(solved) == 20 and all(solved)
