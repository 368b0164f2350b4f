import pytest

from app.engagements.states import EngagementState
from app.surveys.queries import Share, survey_results
from app.surveys.services import SurveyError, submit_survey
from tests.conftest import in_tenant
from tests.engagements import builders

ANSWERS = {"problem_solved": "つながった", "satisfaction": 4, "next_wish": "はい", "good_points": "丁寧な説明"}


def test_submit_stores_answers_and_the_solved_flag(app):
    with in_tenant(app) as t:
        e = builders.completed(t)
        response = submit_survey(e, actor=None, answers=ANSWERS)
        assert response.answers == ANSWERS and response.is_problem_solved is True
        with pytest.raises(SurveyError, match="回答済み"):
            submit_survey(e, actor=None, answers=ANSWERS)


def test_negative_answer_is_not_solved(app):
    with in_tenant(app) as t:
        e = builders.completed(t)
        response = submit_survey(e, actor=None, answers={**ANSWERS, "problem_solved": "あまりつながらなかった"})
        assert response.is_problem_solved is False


@pytest.mark.parametrize("state", [EngagementState.ASSIGNED, EngagementState.IN_PROGRESS, EngagementState.CANCELLED])
def test_survey_only_after_completion(app, state):
    with in_tenant(app) as t:
        e = builders.engagement(t, state=state)
        with pytest.raises(SurveyError, match="支援完了後"):
            submit_survey(e, actor=None, answers=ANSWERS)


@pytest.mark.parametrize("answers", [
    {**ANSWERS, "problem_solved": "たぶん"},
    {**ANSWERS, "satisfaction": 6},
    {**ANSWERS, "satisfaction": True},
    {**ANSWERS, "unknown": "x"},
    {k: v for k, v in ANSWERS.items() if k != "next_wish"},
    {**ANSWERS, "good_points": "あ" * 2001},
])
def test_invalid_answers_are_refused(app, answers):
    with in_tenant(app) as t:
        e = builders.engagement(t, state=EngagementState.CLOSED)
        with pytest.raises(SurveyError):
            submit_survey(e, actor=None, answers=answers)


@pytest.mark.parametrize(("solved", "answered", "label"), [
    (20, 20, "20件中20件（100%）"), (2, 3, "3件中2件（67%）"), (1, 8, "8件中1件（13%）"), (0, 0, "—"),
])
def test_share_label(solved, answered, label):
    assert Share(solved, answered).label == label


def test_results_aggregate_per_year_item_and_provider_with_non_respondents(app):
    with in_tenant(app) as t:
        a = builders.engagement(t, state=EngagementState.CLOSED, lg_code="072010")
        b = builders.engagement(t, state=EngagementState.COMPLETED, lg_code="072028")
        c = builders.engagement(t, state=EngagementState.CLOSED, lg_code="072036", provider_name="別の会員企業株式会社",
                                title="ＲＰＡ実証確認")
        builders.engagement(t, state=EngagementState.IN_PROGRESS, lg_code="072044")  # not completed: not counted
        builders.engagement(t, state=EngagementState.CLOSED, lg_code="072044", fiscal_year=2023)  # other year
        submit_survey(a, actor=None, answers=ANSWERS)
        submit_survey(b, actor=None, answers={**ANSWERS, "problem_solved": "つながらなかった"})
        results = survey_results(t, 2024)
        assert (results.total.completed, results.total.responses) == (3, 2)
        assert results.total.share.label == "2件中1件（50%）"
        assert [n.municipality for n in results.non_respondents] == ["郡山市"]
        assert results.non_respondents[0].engagement_id == c.id
        by_provider = {x.label: (x.completed, x.responses, x.share.solved) for x in results.by_provider}
        assert by_provider == {"テスト情報システム株式会社": (2, 2, 1), "別の会員企業株式会社": (1, 0, 0)}
        assert len(results.by_menu_item) == 3 and all(x.completed == 1 for x in results.by_menu_item)
