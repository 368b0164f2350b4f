"""The 事業設定 questionnaire editor: operators only, every save a new audited version, Japanese
messages naming the field, nothing written on bad input; the needs survey's pages appear in the
navigation only once the tenant has one."""
import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.extensions import db
from app.needs.template import load_needs_template
from app.questionnaires import store
from app.questionnaires.models import Questionnaire, QuestionnaireKind
from app.surveys.template import load_survey_template
from tests.conftest import in_tenant, login
from tests.engagements import builders

BASE = "/t/fukushima/settings"
QUESTION = f"{BASE}/survey/initial/questions"


@pytest.fixture
def operator(app, client):
    with in_tenant(app) as t:
        builders.users(t)
        db.session.commit()
    login(client, "op@example.jp")
    return client


def _survey(app):
    with in_tenant(app) as t:
        return load_survey_template(t)


def _versions(app, kind=QuestionnaireKind.SURVEY) -> int:
    with in_tenant(app):
        return db.session.scalar(sa.select(sa.func.count(Questionnaire.id)).where(Questionnaire.kind == kind))


@pytest.mark.parametrize("url", [f"{BASE}/survey", f"{BASE}/needs-survey", f"{BASE}/survey/preview",
                                 f"{QUESTION}/next_wish", f"{QUESTION}/new"])
def test_only_operators_open_the_editor(app, client, url):
    with in_tenant(app) as t:
        emails = builders.users(t)
        db.session.commit()
    assert client.get(url).status_code == 302  # anonymous: to the login
    for role in ("prov", "muni", "rev"):
        login(client, emails[role])
        assert client.get(url).status_code == 404
        assert client.post(url, data={"base_version": "1", "title": "x"}).status_code in (404, 405)
        client.post("/t/fukushima/logout")
    login(client, emails["op"])
    assert client.get(url).status_code == 200
    assert _versions(app) == 1


def test_operator_edits_a_question_and_it_is_a_new_audited_version(app, operator):
    page = operator.get(f"{QUESTION}/next_wish").get_data(as_text=True)
    assert "来年度もこの事業を利用したいですか" in page
    response = operator.post(f"{QUESTION}/next_wish", data={
        "base_version": "1", "label": "来年度も利用したいですか", "type": "single", "options": "はい\nいいえ\n\n未定\n",
        "required": "y"})
    assert response.status_code == 302
    template = _survey(app)
    assert template.version == 2 and template.question("next_wish").label == "来年度も利用したいですか"
    assert template.question("next_wish").options == ("はい", "いいえ", "未定")
    with in_tenant(app):
        event = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "questionnaire.save")
                                   .order_by(AuditEvent.id.desc())).first()
        assert event.changes == {"kind": "survey", "version": 2, "via": "editor"} and event.actor_role == "operator"
    assert "第2版" in operator.get(f"{BASE}/survey").get_data(as_text=True)


def test_an_unchanged_save_creates_no_version(app, operator):
    data = {"base_version": "1", "label": "来年度もこの事業を利用したいですか", "type": "single",
            "options": "はい\nいいえ\n未定", "required": "y"}
    response = operator.post(f"{QUESTION}/next_wish", data=data, follow_redirects=True)
    assert "変更がないため" in response.get_data(as_text=True) and _versions(app) == 1


@pytest.mark.parametrize(("data", "message"), [
    ({"label": "", "type": "text"}, "設問文を入力してください"),
    ({"label": "x", "type": "single", "options": "はい"}, "異なる選択肢を2つ以上"),
    ({"label": "x", "type": "multi", "options": "はい\nはい"}, "異なる選択肢を2つ以上"),
    ({"label": "x", "type": "text", "options": "はい\nいいえ"}, "単一選択・複数選択の設問にだけ"),
    ({"label": "x", "type": "essay"}, "回答の形式"),
])
def test_bad_questions_are_refused_naming_the_field(app, operator, data, message):
    response = operator.post(f"{QUESTION}/new", data={"base_version": "1", **data})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and "入力内容に誤りがあります" in page
    assert _versions(app) == 1


def test_solved_options_must_be_choices_of_the_question(app, operator):
    response = operator.post(f"{QUESTION}/problem_solved", data={
        "base_version": "1", "label": "課題解決につながりましたか", "type": "single", "options": "はい\nいいえ",
        "required": "y", "solved_options": "とてもつながった"})
    assert response.status_code == 400 and "選択肢にない回答があります：とてもつながった" in response.get_data(as_text=True)
    response = operator.post(f"{QUESTION}/problem_solved", data={
        "base_version": "1", "label": "課題解決につながりましたか", "type": "single", "options": "はい\nいいえ",
        "required": "y", "solved_options": "はい"})
    assert response.status_code == 302 and _survey(app).solved_options == ("はい",)


def test_add_move_and_remove_questions(app, operator):
    assert operator.post(f"{QUESTION}/new", data={"base_version": "1", "label": "研修の回数", "type": "scale5"}).status_code == 302
    assert [q.key for q in _survey(app).questions][-1] == "q1"
    operator.post(f"{QUESTION}/q1/move", data={"base_version": "2", "direction": "up"})
    assert [q.key for q in _survey(app).questions][-2:] == ["q1", "next_wish"]
    operator.post(f"{QUESTION}/q1/delete", data={"base_version": "3"})
    assert "q1" not in [q.key for q in _survey(app).questions] and _survey(app).version == 4
    page = operator.post(f"{QUESTION}/problem_solved/delete", data={"base_version": "4"},
                         follow_redirects=True).get_data(as_text=True)
    assert "削除できません" in page and _survey(app).version == 4


def test_a_stale_page_cannot_overwrite_a_newer_version(app, operator):
    operator.post(f"{QUESTION}/q1/move", data={"base_version": "1", "direction": "up"})  # unknown key: 404, nothing
    operator.post(f"{QUESTION}/next_wish/move", data={"base_version": "1", "direction": "up"})
    page = operator.post(f"{QUESTION}/next_wish/delete", data={"base_version": "1"},
                         follow_redirects=True).get_data(as_text=True)
    assert "ほかの人が先に" in page and _survey(app).question("next_wish") is not None


def test_general_settings_and_the_follow_up(app, operator):
    response = operator.post(f"{BASE}/survey", data={"base_version": "1", "title": "", "due_days": "0", "link_days": "14"})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "表題を入力してください" in page and "1〜365の日数" in page
    response = operator.post(f"{BASE}/survey", data={"base_version": "1", "title": "事後アンケート（改）",
                                                      "due_days": "20", "link_days": "7"})
    template = _survey(app)
    assert response.status_code == 302 and (template.title, template.due_days, template.link_days) == ("事後アンケート（改）", 20, 7)
    assert template.follow_up is None
    preview = operator.get(f"{BASE}/survey/preview").get_data(as_text=True)
    assert "<fieldset disabled>" in preview and "今回の支援は、課題解決につながりましたか" in preview


def _drop_needs(app):
    with in_tenant(app):
        db.session.execute(sa.delete(Questionnaire).where(Questionnaire.kind == QuestionnaireKind.NEEDS))
        db.session.commit()


def test_a_tenant_without_needs_survey_shows_no_link_until_the_operator_creates_it(app, client):
    _drop_needs(app)
    with in_tenant(app) as t:
        emails = builders.users(t)
        db.session.commit()
    for role in ("muni", "prov", "rev"):
        login(client, emails[role])
        assert "/t/fukushima/needs" not in client.get("/t/fukushima/").get_data(as_text=True)
        client.post("/t/fukushima/logout")
    login(client, emails["op"])
    assert "/t/fukushima/needs\"" not in client.get("/t/fukushima/").get_data(as_text=True)
    assert client.get("/t/fukushima/needs").status_code == 404
    page = client.get(f"{BASE}/needs-survey").get_data(as_text=True)
    assert "まだ実施していません" in page and "作成する" in page
    data = {"base_version": "0", "title": "DX課題アンケート", "maturity_label": "取組段階", "comment_max": "500",
            "level_value_0": "0", "level_label_0": "未着手", "level_value_1": "1", "level_label_1": "検討中",
            "level_value_2": "", "level_label_2": ""}
    assert client.post(f"{BASE}/needs-survey", data=data).status_code == 302
    with in_tenant(app) as t:
        template = load_needs_template(t)
        assert (template.version, template.levels, template.comment_max) == (1, ((0, "未着手"), (1, "検討中")), 500)
    assert "/t/fukushima/needs\"" in client.get("/t/fukushima/").get_data(as_text=True)
    client.post("/t/fukushima/logout")
    login(client, emails["muni"])
    assert "/t/fukushima/needs/answer" in client.get("/t/fukushima/").get_data(as_text=True)


@pytest.mark.parametrize(("levels", "message"), [
    ({"level_value_0": "0", "level_label_0": "未着手"}, "2つ以上"),
    ({"level_value_0": "0", "level_label_0": "a", "level_value_1": "0", "level_label_1": "b"}, "重複"),
    ({"level_value_0": "0", "level_label_0": "a", "level_value_1": "", "level_label_1": "b"}, "値を入力してください"),
    ({"level_value_0": "0", "level_label_0": "a", "level_value_1": "x", "level_label_1": "b"}, "段階2の値"),
])
def test_bad_needs_levels_are_refused(app, operator, levels, message):
    data = {"base_version": "1", "title": "DX課題把握アンケート", "maturity_label": "段階", "comment_max": "1000",
            **{f"level_{k}_{i}": "" for i in range(6) for k in ("value", "label")}, **levels}
    response = operator.post(f"{BASE}/needs-survey", data=data)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert _versions(app, QuestionnaireKind.NEEDS) == 1


def test_needs_editor_shows_the_current_version_and_a_preview(app, operator):
    page = operator.get(f"{BASE}/needs-survey").get_data(as_text=True)
    assert "第1版" in page and "ステップ3：重点取組の計画的な実行の段階" in page and "<fieldset disabled>" in page
    with in_tenant(app) as t:
        assert store.current(t.id, QuestionnaireKind.NEEDS).version == 1


def test_an_operator_creates_the_survey_of_a_tenant_without_one(app, operator):
    with in_tenant(app):
        db.session.execute(sa.delete(Questionnaire).where(Questionnaire.kind == QuestionnaireKind.SURVEY))
        db.session.commit()
    page = operator.get(f"{BASE}/survey").get_data(as_text=True)
    assert "事後アンケートを作成する" in page
    assert operator.post(f"{BASE}/survey/create").status_code == 302
    template = _survey(app)
    assert template.version == 1 and template.question("problem_solved").type == "single"
    operator.post(f"{BASE}/survey/create")
    assert _versions(app) == 1
