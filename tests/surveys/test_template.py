from pathlib import Path

import pytest

from app.surveys.forms import survey_form_class
from app.surveys.template import SurveyTemplateError, load_survey_template, read_survey_template
from tests.conftest import in_tenant

ROOT = Path(__file__).resolve().parents[2]

VALID = '''
title = "事後アンケート"
solved_options = ["はい"]

[[questions]]
key = "problem_solved"
type = "single"
label = "課題解決につながりましたか"
options = ["はい", "いいえ"]
required = true

[[questions]]
key = "comment"
type = "text"
label = "ご意見"
'''


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "survey.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_fukushima_template_has_the_program_questions(app):
    with in_tenant(app) as t:
        template = load_survey_template(t)
    solved = template.question("problem_solved")
    assert solved.label == "今回の支援は、課題解決につながりましたか"
    assert solved.options == ("とてもつながった", "つながった", "あまりつながらなかった", "つながらなかった")
    assert template.solved_options == ("とてもつながった", "つながった")
    assert template.question("satisfaction").type == "scale5"
    assert {q.key for q in template.questions} >= {"good_points", "improvements", "next_wish"}
    assert template.question("next_wish").options == ("はい", "いいえ", "未定")


def test_a_valid_template_parses(tmp_path):
    template = read_survey_template(_write(tmp_path, VALID))
    assert [q.key for q in template.questions] == ["problem_solved", "comment"]
    assert template.question("comment").required is False


@pytest.mark.parametrize(("text", "key"), [
    (VALID.replace('title = "事後アンケート"', ""), "'title'"),
    (VALID.replace('type = "text"', 'type = "essay"'), "'questions[1].type'"),
    (VALID.replace('key = "comment"', 'key = "Bad Key"'), "'questions[1].key'"),
    (VALID.replace('key = "comment"', 'key = "csrf_token"'), "'questions[1].key'"),
    (VALID.replace('label = "ご意見"', 'label = ""'), "'questions[1].label'"),
    (VALID.replace('options = ["はい", "いいえ"]', 'options = ["はい"]'), "'questions[0].options'"),
    (VALID.replace('required = true', 'required = "yes"'), "'questions[0].required'"),
    (VALID.replace('solved_options = ["はい"]', 'solved_options = ["たぶん"]'), "'solved_options'"),
    (VALID.replace('solved_options = ["はい"]', ''), "'solved_options'"),
    (VALID.replace('key = "problem_solved"', 'key = "solved"'), "'questions'"),
    (VALID.replace('key = "comment"', 'key = "problem_solved"'), "'questions.key'"),
    (VALID + '\n[[questions]]\nkey = "x"\ntype = "text"\nlabel = "x"\noptions = ["a", "b"]\n', "'questions[2].options'"),
    ('title = "x"', "'questions'"),
    ("title = ", ""),
])
def test_invalid_templates_name_the_file_and_the_key(tmp_path, text, key):
    path = _write(tmp_path, text)
    with pytest.raises(SurveyTemplateError) as info:
        read_survey_template(path)
    assert str(path) in str(info.value) and key in str(info.value)


def test_missing_file_is_named(tmp_path):
    with pytest.raises(SurveyTemplateError, match="ファイルがありません"):
        read_survey_template(tmp_path / "survey.toml")


def test_the_form_has_one_field_per_question(app, tmp_path):
    template = read_survey_template(_write(tmp_path, VALID))
    with app.test_request_context(method="POST", data={"problem_solved": "はい", "comment": " よかった "}):
        form = survey_form_class(template)()
        assert form.validate()
        assert form.answers() == {"problem_solved": "はい", "comment": "よかった"}
    with app.test_request_context(method="POST", data={"problem_solved": "たぶん"}):
        form = survey_form_class(template)()
        assert not form.validate() and "problem_solved" in form.errors
