"""Excel out through the web: every registered list downloads for the operator with Japanese
headers and no formulas; each export keeps the scope of its list page."""
from __future__ import annotations

import io
import re
import zipfile

import sqlalchemy as sa
from openpyxl import load_workbook

from app.core.audit import AuditEvent
from app.exports.registry import load_all
from app.extensions import db
from tests.conftest import in_tenant
from tests.isolation_fixtures import LG_B, PROVIDER_Q

T = "/t/fukushima"
NAMES = sorted(load_all())
NOT_OPERATORS = {"applications": "municipal_B", "my_proposals": "provider_Q"}  # lists of one organisation


def workbook_of(response):
    """The first sheet of an .xlsx response, after checking it is a no-store download without formulas."""
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Cache-Control"] == "no-store"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(re.search(rb"<f[ >]", archive.read(n)) for n in sheets), "a formula was written"
    return load_workbook(io.BytesIO(response.data)).worksheets[0]


def rows_of(response) -> list[tuple]:
    return list(workbook_of(response).iter_rows(min_row=2, values_only=True))


def test_every_registered_list_downloads_with_japanese_headers(app, world, as_user):
    clients, call_id = {s: as_user(s) for s in ("operator", *NOT_OPERATORS.values())}, world.foreign["call_id"]
    for name in NAMES:
        sheet = workbook_of(clients[NOT_OPERATORS.get(name, "operator")].get(f"{T}/exports/{name}.xlsx?call_id={call_id}&kind=application&page=2"))
        headers = [c.value for c in next(sheet.iter_rows(max_row=1))]
        assert headers and all(re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", str(h)) for h in headers), (name, headers)
        assert sheet.freeze_panes == "A2", name
    with in_tenant(app):
        audited = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "export.download")).all()
    assert sorted(e.changes["export"] for e in audited) == NAMES
    assert all(e.changes["params"] == {"call_id": str(call_id), "kind": "application"}
               for e in audited)


def test_call_lists_hold_the_rows_of_their_page(world, as_user):
    operator, call_id = as_user("operator"), world.foreign["call_id"]
    applications = rows_of(operator.get(f"{T}/exports/call_applications.xlsx?call_id={call_id}"))
    assert [(r[0], r[1]) for r in applications] == [(world.foreign["application_id"], LG_B)]
    assert rows_of(operator.get(f"{T}/exports/call_applications.xlsx?call_id={call_id}&state=returned")) == []
    selection = rows_of(operator.get(f"{T}/exports/selection.xlsx?call_id={call_id}"))
    assert [r[0] for r in selection] == [world.foreign["application_id"]]


def test_engagements_follow_the_list_filters(as_user):
    operator = as_user("operator")
    assert {r[0] for r in rows_of(operator.get(f"{T}/exports/engagements.xlsx"))} == {2024, 2025}
    assert {r[0] for r in rows_of(operator.get(f"{T}/exports/engagements.xlsx?fiscal_year=2024"))} == {2024}
    assert rows_of(operator.get(f"{T}/exports/engagements.xlsx?state=cancelled")) == []


def test_each_organisation_exports_only_its_own_rows(as_user):
    assert rows_of(as_user("municipal_A").get(f"{T}/exports/engagements.xlsx")) == []
    assert {r[1] for r in rows_of(as_user("municipal_B").get(f"{T}/exports/engagements.xlsx"))} == {LG_B}
    assert rows_of(as_user("provider_P").get(f"{T}/exports/engagements.xlsx")) == []
    assert {r[4] for r in rows_of(as_user("provider_Q").get(f"{T}/exports/engagements.xlsx"))} == {PROVIDER_Q}
    assert rows_of(as_user("provider_P").get(f"{T}/exports/relationships.xlsx")) == []
    assert rows_of(as_user("municipal_A").get(f"{T}/exports/notices.xlsx")) == []
    assert rows_of(as_user("municipal_A").get(f"{T}/exports/applications.xlsx")) == []
    assert len(rows_of(as_user("municipal_B").get(f"{T}/exports/applications.xlsx"))) == 2  # application and 派遣依頼


def test_operator_lists_are_404_for_other_roles(world, as_user):
    call_id = world.foreign["call_id"]
    for subject in ("municipal_B", "provider_Q", "reviewer_office"):
        client = as_user(subject)
        for name in ("call_applications", "calls", "selection", "reviews", "survey_results", "call_proposals"):
            assert client.get(f"{T}/exports/{name}.xlsx?call_id={call_id}").status_code == 404, (subject, name)


def test_public_lists_export_without_login_and_others_ask_to_log_in(client, world):
    menu = rows_of(client.get(f"{T}/exports/menu.xlsx?fiscal_year=2024"))
    assert [r[2] for r in menu] == ["公開済みの項目（公開テスト）"]
    matrix = rows_of(client.get(f"{T}/exports/coverage_matrix.xlsx?fiscal_year=2025"))
    assert len(matrix) == 59  # every municipality of the tenant, supported or not
    supported = next(r for r in matrix if r[2] == LG_B)
    assert supported.count(1) == 2 and supported[-1] == "令和7年度"  # FY2024 and FY2025
    assert 1 not in next(r for r in matrix if r[2] == "072010")
    response = client.get(f"{T}/exports/engagements.xlsx")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_an_unknown_call_is_404(as_user):
    operator = as_user("operator")
    assert operator.get(f"{T}/exports/call_applications.xlsx?call_id=999999").status_code == 404
    assert operator.get(f"{T}/exports/call_applications.xlsx").status_code == 404
