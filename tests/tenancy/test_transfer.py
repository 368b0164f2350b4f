"""`tenants/<slug>/` as an import/export format: export → import into an empty database gives an
equal tenant; an import into a tenant that diverged is refused listing the differences and writes
nothing; re-importing equal files is "unchanged"; demo data added by the seed is not a difference."""
import shutil
from pathlib import Path

import sqlalchemy as sa

from app import create_app
from app.core.audit import AuditEvent
from app.extensions import db
from app.tenancy.models import Organisation, Tenant
from app.tenancy.transfer import export_tenant, read_folder, SECTIONS
from tests.conftest import ROOT, _build_schema, _config, in_tenant

TENANTS = ROOT / "tenants"


def _customise(app) -> None:
    """Settings an office would change in the UI: contact, a rule, a label, a notice text."""
    with in_tenant(app) as tenant:
        tenant.profile = {"phone": "024-521-0000", "email": "", "address": "福島市杉妻町2-16", "head_title": "福島県企画調整部長"}
        tenant.rules = {**tenant.rules, "max_choices": 4, "applicant_labels": {"municipality": "市町村（県内）"}}
        tenant.notification_texts = {"calls.open": {"subject": "{call_title} 受付開始", "body": "{municipality} 様\n{url}"}}
        db.session.commit()


def _files(folder: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())}


def test_export_then_import_into_an_empty_database_gives_an_equal_tenant(app, templates, tmp_path):
    _customise(app)
    first = tmp_path / "one" / "fukushima"
    with app.app_context():
        written = export_tenant(db.session.scalar(sa.select(Tenant).where(Tenant.slug == "fukushima")), first)
    assert {"tenant.toml", "categories.csv", "municipalities.csv", "notifications.toml", "tile_layout.csv"} <= set(written)

    empty = create_app(_config(templates.create_empty("roundtrip"), tmp_path))
    _build_schema(empty)
    result = empty.test_cli_runner().invoke(args=["tenants", "import", str(first)])
    assert result.exit_code == 0 and "fukushima: 取り込みました" in result.output, result.output
    second = tmp_path / "two" / "fukushima"
    with empty.app_context():
        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == "fukushima"))
        data = read_folder(first)
        assert [line for s in SECTIONS for line in s.differences(tenant, data[s.name])] == []
        assert tenant.contact("head_title") == "福島県企画調整部長" and tenant.rule("max_choices") == 4
        assert tenant.applicant_label("municipality") == "市町村（県内）" and len(tenant.tile_layout) == 59
        export_tenant(tenant, second)
        db.engine.dispose()
    assert _files(second) == _files(first)


def _audit_count(app) -> int:
    with app.app_context():
        return db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))


def test_a_diverged_tenant_is_refused_listing_the_differences_and_nothing_is_written(app):
    with in_tenant(app) as tenant:
        tenant.rules = {**tenant.rules, "max_choices": 4}
        city = db.session.scalar(sa.select(Organisation).where(Organisation.lg_code == "072010"))
        city.name = "ふくしま市"
        db.session.commit()
    before = _audit_count(app)
    result = app.test_cli_runner().invoke(args=["tenants", "import", str(TENANTS / "fukushima"), str(TENANTS / "miyagi-sample")])
    assert result.exit_code != 0
    assert "rules.max_choices: ファイル 3 / データベース 4" in result.output
    assert "市町村 072010 name: ファイル 福島市 / データベース ふくしま市" in result.output
    assert "何も書き込んでいません" in result.output
    with app.app_context():
        assert db.session.scalar(sa.select(Tenant).where(Tenant.slug == "miyagi-sample")) is None  # all or nothing
    with in_tenant(app) as tenant:
        assert tenant.rule("max_choices") == 4
    assert _audit_count(app) == before


def test_reimporting_equal_files_is_unchanged_and_writes_nothing(app):
    before = _audit_count(app)
    result = app.test_cli_runner().invoke(args=["tenants", "import", str(TENANTS / "fukushima")])
    assert result.exit_code == 0 and "fukushima: 変更なし" in result.output
    assert _audit_count(app) == before


def test_the_demo_seed_does_not_make_the_shipped_tenants_diverge(demo_app):
    """`make run` twice: the second `flask tenants import --all` finds every tenant unchanged."""
    result = demo_app.test_cli_runner().invoke(args=["tenants", "import", "--all"])
    assert result.exit_code == 0, result.output
    assert result.output.count("変更なし") == 3


def test_an_import_folder_with_a_broken_notice_text_is_refused(app, tmp_path):
    folder = tmp_path / "miyagi-sample"
    shutil.copytree(TENANTS / "miyagi-sample", folder)
    (folder / "notifications.toml").write_text('[templates."calls.open"]\nsubject = "{nope}"\n', encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["tenants", "import", str(folder)])
    assert result.exit_code != 0 and "templates.calls.open.subject: 使えない差し込み項目があります: {nope}" in result.output


def test_export_writes_the_experts_and_bodies_of_a_sample_tenant(app, tmp_path):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["tenants", "import", str(TENANTS / "shizuoka-sample")]).exit_code == 0
    result = runner.invoke(args=["tenants", "export", "shizuoka-sample", str(tmp_path)])
    assert result.exit_code == 0, result.output
    folder = tmp_path / "shizuoka-sample"
    assert {"bodies.csv", "providers.csv"} <= {p.name for p in folder.iterdir()}
    assert "tile_layout.csv" not in {p.name for p in folder.iterdir()}
    again = runner.invoke(args=["tenants", "import", str(folder)])
    assert again.exit_code == 0 and "変更なし" in again.output, again.output
