"""Questionnaires live in the database, versioned: an answer keeps the questions it was given,
and no request reads tenants/<slug>/*.toml."""
import copy
import shutil

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.extensions import db
from app.needs.services import record_needs_response, save_needs_round
from app.needs.template import load_needs_template
from app.questionnaires import store
from app.questionnaires.models import Questionnaire, QuestionnaireKind
from app.questionnaires.services import QuestionnaireConflict, save_questionnaire
from app.surveys.models import SurveyResponse
from app.surveys.services import submit_survey
from app.surveys.template import load_survey_template
from tests import factories
from tests.conftest import in_tenant, login
from tests.engagements import builders

BASE = "/t/fukushima"
ANSWERS = {"problem_solved": "とてもつながった", "satisfaction": 4, "next_wish": "はい", "good_points": "助言が的確"}


def _relabel(definition: dict, key: str, label: str) -> dict:
    new = copy.deepcopy(definition)
    next(q for q in new["questions"] if q["key"] == key)["label"] = label
    return new


def test_the_synced_files_are_version_1(app):
    with in_tenant(app) as t:
        survey, needs = load_survey_template(t), load_needs_template(t)
        assert (survey.version, needs.version) == (1, 1)
        assert survey.question("next_wish").label == "来年度もこの事業を利用したいですか"
        assert needs.level_label(0) == "ステップ0：認識共有・機運醸成の段階"


def test_a_survey_answered_on_v1_keeps_its_questions_after_v2(app, client):
    with in_tenant(app) as t:
        builders.users(t)
        engagement = builders.completed(t)
        submit_survey(engagement, actor=None, answers=ANSWERS)
        v1 = store.current(t.id, QuestionnaireKind.SURVEY).definition
        new = _relabel(v1, "next_wish", "来年度も利用したいですか（第2版）")
        row = save_questionnaire(t, QuestionnaireKind.SURVEY, new, actor=None)
        assert row.version == 2 and load_survey_template(t).version == 2
        assert db.session.scalar(sa.select(SurveyResponse.questionnaire_version)) == 1
        db.session.commit()
        engagement_id = engagement.id
    login(client, "op@example.jp")
    page = client.get(f"{BASE}/engagements/{engagement_id}/survey").get_data(as_text=True)
    assert "来年度もこの事業を利用したいですか" in page and "第2版" not in page and "助言が的確" in page
    profile = client.get(f"{BASE}/municipalities/{factories_municipality_id(app)}").get_data(as_text=True)
    assert "来年度もこの事業を利用したいですか" in profile and "第2版" not in profile


def factories_municipality_id(app) -> int:
    with in_tenant(app):
        return factories.municipality(builders.FUKUSHIMA).id


def test_a_new_answer_records_the_current_version(app):
    with in_tenant(app) as t:
        v1 = store.current(t.id, QuestionnaireKind.SURVEY).definition
        save_questionnaire(t, QuestionnaireKind.SURVEY, _relabel(v1, "next_wish", "新しい設問文"), actor=None)
        response = submit_survey(builders.completed(t), actor=None, answers=ANSWERS)
        assert response.questionnaire_version == 2


def test_a_needs_answer_keeps_the_levels_it_was_given(app, client):
    with in_tenant(app) as t:
        builders.users(t)
        round_ = save_needs_round(t, fiscal_year=2025, opens_on=factories_date(), closes_on=factories_date(), actor=None)
        record_needs_response(round_, factories.municipality(builders.FUKUSHIMA), actor=None, categories=["AI"],
                              maturity=3, comments={}, check_window=False)
        v1 = store.current(t.id, QuestionnaireKind.NEEDS).definition
        v2 = copy.deepcopy(v1)
        v2["maturity"]["levels"] = [{"value": 0, "label": "これから"}, {"value": 1, "label": "取組中"}]
        save_questionnaire(t, QuestionnaireKind.NEEDS, v2, actor=None)
        db.session.commit()
        round_id = round_.id
    login(client, "op@example.jp")
    page = client.get(f"{BASE}/needs/rounds/{round_id}").get_data(as_text=True)
    assert "ステップ3：重点取組の計画的な実行の段階" in page
    summary = client.get(f"{BASE}/needs/summary?fiscal_year=2025").get_data(as_text=True)
    assert "これから" in summary and "ステップ3：重点取組の計画的な実行の段階" in summary


def factories_date():
    from app.core.clock import today_jst

    return today_jst()


def test_an_identical_save_creates_nothing_and_a_save_is_audited(app):
    with in_tenant(app) as t:
        current = store.current(t.id, QuestionnaireKind.SURVEY).definition
        assert save_questionnaire(t, QuestionnaireKind.SURVEY, copy.deepcopy(current), actor=None) is None
        row = save_questionnaire(t, QuestionnaireKind.SURVEY, {**current, "title": "新しい表題"}, actor=None)
        events = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "questionnaire.save",
                                                                AuditEvent.target_id == row.id)).all()
        assert [e.changes["version"] for e in events] == [2]
        assert db.session.scalar(sa.select(sa.func.count(Questionnaire.id)).where(
            Questionnaire.kind == QuestionnaireKind.SURVEY)) == 2


def test_a_save_over_a_newer_version_is_refused(app):
    with in_tenant(app) as t:
        current = store.current(t.id, QuestionnaireKind.SURVEY).definition
        save_questionnaire(t, QuestionnaireKind.SURVEY, {**current, "title": "A"}, actor=None, base_version=1)
        with pytest.raises(QuestionnaireConflict, match="第2版"):
            save_questionnaire(t, QuestionnaireKind.SURVEY, {**current, "title": "B"}, actor=None, base_version=1)
        assert load_survey_template(t).title == "A"


def test_no_request_reads_the_tenant_files(app, client, tmp_path):
    folder = tmp_path / "tenants"
    shutil.copytree(app.config["TENANTS_DIR"], folder)
    app.config["TENANTS_DIR"] = str(folder)
    (folder / "fukushima" / "survey.toml").unlink()
    (folder / "fukushima" / "needs_survey.toml").unlink()
    with in_tenant(app) as t:
        builders.users(t)
        engagement_id = builders.completed(t).id
        db.session.commit()
    login(client, "muni@example.jp")
    page = client.get(f"{BASE}/engagements/{engagement_id}/survey")
    assert page.status_code == 200 and "今回の支援は、課題解決につながりましたか" in page.get_data(as_text=True)
    assert client.post(f"{BASE}/engagements/{engagement_id}/survey",
                       data={**ANSWERS, "satisfaction": "4"}).status_code == 302
    assert client.get(f"{BASE}/needs/answer").status_code == 200
