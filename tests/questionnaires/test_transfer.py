"""survey.toml / needs_survey.toml as an import/export format (app.questionnaires.transfer)."""
import copy
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.needs.template import NeedsTemplateError
from app.questionnaires import store, transfer
from app.questionnaires.models import Questionnaire, QuestionnaireKind
from app.questionnaires.services import save_questionnaire
from app.surveys.template import SurveyTemplateError, load_survey_template
from app.tenancy.models import Tenant
from app.tenancy.scoping import tenant_scope
from tests.conftest import in_tenant

TENANTS = Path(__file__).resolve().parents[2] / "tenants"


def test_read_files_of_the_shipped_tenants():
    fukushima = transfer.read_files(TENANTS / "fukushima")
    assert fukushima["survey"]["follow_up"] is True and fukushima["needs"]["comment_max"] == 1000
    miyagi = transfer.read_files(TENANTS / "miyagi-sample")
    assert miyagi["survey"]["title"] == "派遣 事後アンケート（サンプル）" and miyagi["needs"] is None


def test_read_files_names_the_file_and_the_key(tmp_path):
    (tmp_path / "survey.toml").write_text((TENANTS / "fukushima" / "survey.toml").read_text(encoding="utf-8")
                                          .replace('type = "scale5"', 'type = "stars"'), encoding="utf-8")
    with pytest.raises(SurveyTemplateError) as info:
        transfer.read_files(tmp_path)
    assert str(tmp_path / "survey.toml") in str(info.value) and "'questions[1].type'" in str(info.value)
    (tmp_path / "survey.toml").unlink()
    (tmp_path / "needs_survey.toml").write_text('title = "x"\ncomment_max = 0\n', encoding="utf-8")
    with pytest.raises(NeedsTemplateError, match="needs_survey.toml: キー 'comment_max'"):
        transfer.read_files(tmp_path)
    (tmp_path / "needs_survey.toml").unlink()
    assert transfer.read_files(tmp_path) == {"survey": None, "needs": None}


def test_write_files_round_trip_and_differences(app, tmp_path):
    files = transfer.read_files(TENANTS / "fukushima")
    with in_tenant(app) as t:
        assert transfer.differences(t, files) == []
        edited = copy.deepcopy(store.current(t.id, QuestionnaireKind.SURVEY).definition)
        edited["questions"][4]["label"] = "来年度も利用したいですか？\n（\"引用\" と 'quote'）"
        edited["questions"].append({"key": "q1", "type": "multi", "label": "役立った点", "options": ["a", "b"],
                                    "required": False})
        edited["due_days"] = 21
        save_questionnaire(t, QuestionnaireKind.SURVEY, edited, actor=None)
        transfer.write_files(t, tmp_path)
        back = transfer.read_files(tmp_path)
        assert back["survey"] == store.current(t.id, QuestionnaireKind.SURVEY).definition
        assert back["needs"] == store.current(t.id, QuestionnaireKind.NEEDS).definition
        assert transfer.differences(t, back) == []
        lines = transfer.differences(t, files)
    assert any("'due_days'" in line and "21" in line and "30" in line for line in lines)
    assert any("'questions' の設問 'q1' はデータベースにだけあります" in line for line in lines)
    assert any("questions[next_wish].label" in line for line in lines)
    assert all(line.startswith("事後アンケート（第2版と survey.toml）") for line in lines)


def test_differences_name_a_questionnaire_missing_on_one_side(app):
    with in_tenant(app) as t:
        lines = transfer.differences(t, {"survey": None, "needs": None})
    assert len(lines) == 2 and "ファイル survey.toml がありません" in lines[0] and "needs_survey.toml" in lines[1]


def test_apply_loads_version_1_only_into_a_tenant_without_them(app, tmp_path):
    files = transfer.read_files(TENANTS / "shizuoka-sample")
    with in_tenant(app) as t:
        with pytest.raises(transfer.QuestionnaireTransferError, match="事後アンケートはすでに"):
            transfer.apply(t, files)
        db.session.execute(sa.delete(Questionnaire))
        transfer.apply(t, files)
        template = load_survey_template(t)
        assert template.version == 1 and template.title == "派遣 事後アンケート（サンプル）"
        assert store.current(t.id, QuestionnaireKind.NEEDS) is None
        transfer.write_files(t, tmp_path)
    assert (tmp_path / "survey.toml").is_file() and not (tmp_path / "needs_survey.toml").exists()


def test_an_import_keeps_what_the_office_edited_and_says_what_differs(app):
    runner = app.test_cli_runner()
    with in_tenant(app) as t:
        current = store.current(t.id, QuestionnaireKind.SURVEY).definition
        save_questionnaire(t, QuestionnaireKind.SURVEY, {**current, "title": "UIで変えた表題"}, actor=None)
        db.session.commit()
    result = runner.invoke(args=["tenants", "import", str(TENANTS / "fukushima")])
    assert result.exit_code != 0 and "UIで変えた表題" in result.output
    with in_tenant(app) as t:
        assert load_survey_template(t).title == "UIで変えた表題"


def test_tenants_import_stores_the_files_once_and_refuses_a_broken_one(app, tmp_path):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["tenants", "import", str(TENANTS / "miyagi-sample")])
    assert result.exit_code == 0 and "取り込みました" in result.output
    with app.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "miyagi-sample"))
        with tenant_scope(tenant.id):
            assert load_survey_template(tenant).version == 1
    result = runner.invoke(args=["tenants", "import", str(TENANTS / "miyagi-sample")])
    assert result.exit_code == 0 and "変更なし" in result.output
    folder = tmp_path / "shizuoka-sample"
    folder.mkdir()
    for source in (TENANTS / "shizuoka-sample").iterdir():
        (folder / source.name).write_bytes(source.read_bytes())
    (folder / "needs_survey.toml").write_text('title = "x"\n', encoding="utf-8")
    result = runner.invoke(args=["tenants", "import", str(folder)])
    assert result.exit_code != 0 and "needs_survey.toml: キー 'maturity.label'" in result.output
