"""tenant.toml validation (app.tenancy.schema): every bad key gives a message naming the file and
the key path; the real and sample tenants load; `flask tenants import` loads them, and a second import is 'unchanged'."""
import shutil
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.tenancy.loader import read_definition
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from app.tenancy.schema import TenantDefinitionError
from app.tenancy.scoping import tenant_scope

TENANTS = Path(__file__).resolve().parents[2] / "tenants"


def _write(folder: Path, data: dict) -> None:
    """Write `data` back as TOML (a tiny writer: the tenant files use strings, ints, lists and tables)."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return '"' + v.replace('"', '\\"') + '"'
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return repr(v)

    lines, tables = [], []
    for key, v in data.items():
        (tables if isinstance(v, dict) else lines).append((key, v))
    out = [f"{k} = {value(v)}" for k, v in lines]
    for name, table in tables:
        arrays = {k: v for k, v in table.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
        out.append(f"[{name}]")
        out += [f"{k} = {value(v)}" for k, v in table.items() if k not in arrays]
        for key, rows in arrays.items():
            for row in rows:
                out.append(f"[[{name}.{key}]]")
                out += [f"{k} = {value(v)}" for k, v in row.items()]
    (folder / "tenant.toml").write_text("\n".join(out) + "\n", encoding="utf-8")


def _copy(tmp_path: Path, slug: str) -> tuple[Path, dict]:
    folder = tmp_path / slug
    shutil.copytree(TENANTS / slug, folder)
    return folder, tomllib.loads((folder / "tenant.toml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("slug", ["fukushima", "shizuoka-sample", "miyagi-sample"])
def test_the_three_tenants_load(slug):
    definition = read_definition(TENANTS / slug)
    assert definition.slug == slug and definition.municipalities


def test_the_rules_of_the_three_programs():
    fukushima, shizuoka, miyagi = (read_definition(TENANTS / s) for s in ("fukushima", "shizuoka-sample", "miyagi-sample"))
    assert (fukushima.rules["call_model"], fukushima.rules["max_dispatches_per_body_per_year"]) == ("annual", None)
    assert fukushima.rules["max_engagements_first_pass"] == 1 and fukushima.rules["max_choices"] == 3
    assert shizuoka.rules["call_model"] == "continuous" and shizuoka.rules["max_dispatches_per_body_per_year"] == 5
    assert shizuoka.rules["applicant_kinds"] == ["municipality", "board_of_education", "chamber_of_commerce"]
    assert shizuoka.meta["provider_label"] == "ICTエキスパート" and shizuoka.meta["is_sample"]
    assert {b["kind"] for b in shizuoka.bodies} == {"board_of_education", "chamber_of_commerce"}
    assert all(p["themes"] for p in shizuoka.providers) and len(shizuoka.providers) == 4
    assert (miyagi.rules["call_model"], miyagi.rules["provider_model"]) == ("on_demand", "commissioned_adviser")
    assert miyagi.rules["max_dispatches_per_body_per_year"] is None and len(miyagi.providers) == 1
    assert not miyagi.calendar and fukushima.calendar["applications"] == ["+0-05-16", "+0-06-14"]


def _set(data: dict, path: str, value) -> None:
    *parents, last = path.split(".")
    for key in parents:
        data = data.setdefault(key, {})
    if value is None:
        data.pop(last, None)
    else:
        data[last] = value


BAD_FUKUSHIMA = [
    ("rules.max_choices", 0, "rules.max_choices: 1以上10以下の整数にしてください"),
    ("rules.max_choices", "3", "rules.max_choices: 1以上10以下の整数にしてください"),
    ("rules.call_model", "weekly", "rules.call_model: 次のいずれかにしてください: 'annual', 'continuous', 'on_demand'"),
    ("rules.applicant_kinds", ["municipality", "school"], "rules.applicant_kinds[1]: 次のいずれかにしてください"),
    ("rules.applicant_kinds", [], "rules.applicant_kinds: 1つ以上指定してください"),
    ("rules.applicant_kinds", ["municipality", "chamber_of_commerce"], "rules.applicant_kinds: 年間募集（annual）の申込団体は"),
    ("rules.provider_model", "expert_themes", "rules.provider_model: company_menu は"),
    ("rules.max_dispatches_per_body_per_year", 5, "rules.max_dispatches_per_body_per_year: 年間募集（annual）では使えません"),
    ("rules.max_engagements_first_pass", 3, "rules.max_engagements_first_pass: max_engagements_per_municipality 以下"),
    ("rules.max_engagements_per_municipality", 3, "rules.max_engagements_per_municipality: max_applications_per_municipality 以下"),
    ("rules.priority_lookback_years", -1, "rules.priority_lookback_years: 0以上10以下の整数にしてください"),
    ("rules.region_order", ["県北", "県北"], "rules.region_order: 同じ値が重複しています"),
    ("rules.max_choise", 3, "rules.max_choise: 不明なキーです"),
    ("office_name", None, "office_name: 必須のキーです"),
    ("office_name", "  ", "office_name: 空でない文字列にしてください"),
    ("calendar", None, "calendar: 年間募集（call_model = \"annual\"）には [calendar] が必要です"),
    ("calendar.support", ["+0-07-08"], "calendar.support: [\"+Y-MM-DD\", \"+Y-MM-DD\"] の形"),
    ("calendar.support", ["+0-07-08", "+0-13-01"], "calendar.support: '+0-13-01' は存在しない日付です"),
    ("calendar.support", ["+0-07-08", "+0-07-01"], "calendar.support: 終了日が開始日より前です"),
    ("calendar.selection", ["+0-04-01", "+0-07-05"], "calendar.selection: 開始日が前のフェーズ（applications）の開始日より前です"),
    ("calendar.closing", ["+1-02-29", "+1-03-31"], "calendar.closing: 2月29日"),
    ("calendar.applications", None, "calendar.applications: 年間募集には申込受付の期間が必要です"),
    ("calendar.meeting", ["+0-07-01", "+0-07-01"], "calendar.meeting: 不明なキーです"),
]


@pytest.mark.parametrize(("key", "value", "expected"), BAD_FUKUSHIMA, ids=[f"{k}={v!r}" for k, v, _e in BAD_FUKUSHIMA])
def test_a_bad_key_names_the_file_and_the_key(tmp_path, key, value, expected):
    folder, data = _copy(tmp_path, "fukushima")
    _set(data, key, value)
    _write(folder, data)
    with pytest.raises(TenantDefinitionError) as error:
        read_definition(folder)
    assert f"{folder / 'tenant.toml'}: {expected}" in str(error.value)


def test_a_bad_rubric_criterion_names_its_index(tmp_path):
    folder, data = _copy(tmp_path, "fukushima")
    data["rules"]["review_rubric"][1]["weight"] = 0
    data["rules"]["review_rubric"][2]["max"] = 0
    _write(folder, data)
    with pytest.raises(TenantDefinitionError) as error:
        read_definition(folder)
    assert "rules.review_rubric[1].weight: 0より大きい数にしてください" in str(error.value)
    assert "rules.review_rubric[2].max: 1以上100以下の整数にしてください" in str(error.value)


def test_rubric_weight_and_required_are_accepted(tmp_path):
    folder, data = _copy(tmp_path, "fukushima")
    data["rules"]["review_rubric"][0].update(weight=2.5, required=False)
    _write(folder, data)
    criterion = read_definition(folder).rules["review_rubric"][0]
    assert (criterion["weight"], criterion["required"]) == (2.5, False)


BAD_SHIZUOKA = [
    ("rules.max_dispatches_per_body_per_year", 0, "tenant.toml: rules.max_dispatches_per_body_per_year: 1以上100以下"),
    ("calendar", {"applications": ["+0-05-16", "+0-06-14"]}, "tenant.toml: calendar: 随時受付の事業では [calendar] は使いません"),
    ("providers_file", None, "tenant.toml: providers_file: 専門家・アドバイザーの一覧（CSV）を指定してください"),
    ("bodies_file", None, "tenant.toml: bodies_file: 教育委員会・商工会を申込団体にするときは"),
    ("rules.applicant_kinds", ["municipality", "board_of_education"], "bodies.csv:4: kind 'chamber_of_commerce' が rules.applicant_kinds にありません"),
    ("rules.region_order", ["東部", "中部"], "municipalities.csv:4: region '西部' が rules.region_order にありません"),
]


@pytest.mark.parametrize(("key", "value", "expected"), BAD_SHIZUOKA, ids=[k for k, _v, _e in BAD_SHIZUOKA])
def test_bad_sample_rules_name_the_file_and_the_key(tmp_path, key, value, expected):
    folder, data = _copy(tmp_path, "shizuoka-sample")
    _set(data, key, value)
    _write(folder, data)
    with pytest.raises(TenantDefinitionError, match=expected.replace("[", r"\[").replace("(", r"\(")):
        read_definition(folder)


def test_bad_csv_rows_name_the_file_and_the_row(tmp_path):
    folder, _data = _copy(tmp_path, "shizuoka-sample")
    experts = folder / "experts.csv"
    experts.write_text(experts.read_text(encoding="utf-8").replace("SEC HR-DEV,hybrid", "SECURITY,hybrid"), encoding="utf-8")
    with pytest.raises(TenantDefinitionError, match=r"experts\.csv:6: categories 'SECURITY' が分類一覧にありません"):
        read_definition(folder)
    folder, _data = _copy(tmp_path / "m", "miyagi-sample")
    adviser = folder / "adviser.csv"
    adviser.write_text(adviser.read_text(encoding="utf-8") + "別のアドバイザー（サンプル）,,相談,CONSULT,online,1\n", encoding="utf-8")
    with pytest.raises(TenantDefinitionError, match=r"adviser\.csv: commissioned_adviser では委託アドバイザーを1名だけ"):
        read_definition(folder)


def test_a_toml_syntax_error_names_the_file(tmp_path):
    folder, _data = _copy(tmp_path, "fukushima")
    (folder / "tenant.toml").write_text("slug = \n", encoding="utf-8")
    with pytest.raises(TenantDefinitionError, match=r"tenant\.toml: TOMLの書式が正しくありません"):
        read_definition(folder)


def test_flask_tenants_import_loads_the_samples_and_a_second_import_is_unchanged(app):
    runner = app.test_cli_runner()
    folders = [str(TENANTS / "shizuoka-sample"), str(TENANTS / "miyagi-sample")]
    first = runner.invoke(args=["tenants", "import", *folders])
    assert first.exit_code == 0, first.output
    assert "shizuoka-sample: 取り込みました" in first.output
    second = runner.invoke(args=["tenants", "import", *folders])
    assert second.exit_code == 0 and "shizuoka-sample: 変更なし" in second.output, second.output
    result = runner.invoke(args=["tenants", "import", "--all"])
    assert result.exit_code == 0 and "fukushima: 変更なし" in result.output, result.output
    with app.app_context():
        shizuoka = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "shizuoka-sample"))
        assert shizuoka.is_sample and shizuoka.provider_label == "ICTエキスパート" and shizuoka.takes_requests
        with tenant_scope(shizuoka.id):
            kinds = [o.kind for o in db.session.scalars(sa.select(Organisation))]
            assert kinds.count(OrganisationKind.BOARD_OF_EDUCATION) == 2 and kinds.count(OrganisationKind.PROVIDER) == 4
            assert len(kinds) == 1 + 4 + 4 + 4  # office, municipalities, bodies, experts; no duplicates
            assert all(o.is_sample for o in db.session.scalars(sa.select(Organisation).where(Organisation.kind != OrganisationKind.OFFICE)))
            expert = db.session.scalar(sa.select(Organisation).where(Organisation.name == "ICTエキスパートA（サンプル）"))
            assert [t["title"] for t in expert.themes] == ["ICTリテラシー教室（学生向け）", "情報モラル・SNSの安全な使い方講座"]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Tenant)) == 3


def test_flask_tenants_import_refuses_a_broken_definition_before_writing(app, tmp_path):
    folder, data = _copy(tmp_path, "shizuoka-sample")
    data["rules"]["max_choices"] = 11
    _write(folder, data)
    shutil.copytree(TENANTS / "miyagi-sample", tmp_path / "miyagi-sample")
    app.config["TENANTS_DIR"] = str(tmp_path)
    result = app.test_cli_runner().invoke(args=["tenants", "import", "--all"])
    assert result.exit_code != 0 and "rules.max_choices: 1以上10以下の整数にしてください" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(Tenant).where(Tenant.slug == "miyagi-sample")) is None
