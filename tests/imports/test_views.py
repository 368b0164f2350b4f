"""The operator's flow over HTTP: template, upload → preview → 「取り込む」 → result; refusals."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEvent
from app.extensions import db
from app.imports.models import ImportRun
from app.imports.states import ImportKind, ImportState
from app.tenancy.models import Organisation
from tests import factories
from tests.conftest import in_tenant, login
from tests.imports.helpers import from_template

URL = "/t/fukushima/imports"


@pytest.fixture
def operator_client(app):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", factories.municipality("072010"))
        db.session.commit()
    client = app.test_client()
    login(client, "op@example.jp")
    return client


def _upload(client, data: bytes, kind: str = "municipalities"):
    return client.post(URL, data={"kind": kind, "file": (io.BytesIO(data), "マスタ.xlsx")},
                       content_type="multipart/form-data")


def test_template_download_has_japanese_headers(operator_client):
    response = operator_client.get(f"{URL}/template?kind=past_engagements")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert [c.value for c in workbook["過去実績"][1]][:6] == ["年度", "市町村コード", "市町村名", "支援メニュー名", "会員企業名", "状態"]
    assert "記入方法" in workbook.sheetnames
    assert operator_client.get(f"{URL}/template?kind=nope").status_code == 404


def test_upload_previews_then_confirm_applies_and_everything_is_audited(app, operator_client):
    with in_tenant(app) as tenant:
        data = from_template(tenant, ImportKind.MUNICIPALITIES, [["072010", "ふくしま市", "", "市", "", "県北", "中通り", "0"]])
    response = _upload(operator_client, data)
    assert response.status_code == 302
    page = operator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "取り込むと変わる内容（試行）" in page and "072010 ふくしま市" in page and "取り込む</button>" in page
    with in_tenant(app):
        assert factories.municipality("072010").name == "福島市"
        run = db.session.scalar(sa.select(ImportRun))
    response = operator_client.post(f"{URL}/{run.id}/confirm")
    assert response.status_code == 302
    assert "取込済" in operator_client.get(f"{URL}/{run.id}").get_data(as_text=True)
    assert operator_client.post(f"{URL}/{run.id}/confirm").status_code == 409  # never applied twice
    with in_tenant(app):
        assert factories.municipality("072010").name == "ふくしま市"
        actions = set(db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.target_type == "import_runs")))
        assert {"import.preview", "import.apply", "import.transition"} <= actions
    assert "マスタ.xlsx" in operator_client.get(URL).get_data(as_text=True)  # history


def test_a_zip_bomb_upload_is_rejected_with_nothing_written(app, operator_client, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<" * (60 * 1024 * 1024))
    with in_tenant(app):
        organisations = db.session.scalar(sa.select(sa.func.count()).select_from(Organisation))
    response = _upload(operator_client, buffer.getvalue())
    page = operator_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "展開後のサイズが大きすぎます" in page and "取り込む</button>" not in page
    with in_tenant(app):
        assert db.session.scalar(sa.select(ImportRun.state)) == ImportState.FAILED
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Organisation)) == organisations
    assert not (tmp_path / "imports").exists() or not any((tmp_path / "imports").iterdir())


def test_a_wrong_extension_is_a_form_error(operator_client):
    response = operator_client.post(URL, data={"kind": "municipalities", "file": (io.BytesIO(b"x"), "a.csv")},
                                    content_type="multipart/form-data")
    assert response.status_code == 400 and "Excelファイル（.xlsx）を選んでください。" in response.get_data(as_text=True)


def test_non_operators_get_404(app, operator_client):
    with in_tenant(app) as tenant:
        run = ImportRun(tenant_id=tenant.id, kind=ImportKind.MUNICIPALITIES, state=ImportState.PREVIEWED)
        db.session.add(run)
        db.session.commit()
        run_id = run.id
    client = app.test_client()
    login(client, "muni@example.jp")
    for url in (URL, f"{URL}/template?kind=municipalities", f"{URL}/{run_id}"):
        assert client.get(url).status_code == 404
    assert client.post(f"{URL}/{run_id}/confirm").status_code == 404
    assert operator_client.get(f"{URL}/{run_id}").status_code == 200
