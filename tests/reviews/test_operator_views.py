"""Operator pages: results with averages and spread, rubric editor, assignment and workload, the
審査表 export; the reviewer's application pages."""
from __future__ import annotations

import io

import sqlalchemy as sa
from openpyxl import load_workbook

from app.auth.models import Role
from app.core.audit import AuditEvent
from app.extensions import db
from app.reviews.models import ReviewAssignment, ReviewCriterion
from app.reviews.services import score_application, score_proposal
from app.selection.models import Allocation, Selection
from tests import factories
from tests.conftest import in_tenant, login
from tests.reviews.builders import (
    APP_SCORES,
    APP_WHY,
    GOOD,
    WHY,
    applications_in_selection,
    declared,
    proposals_in_review,
    reviewer,
)

T = "/t/fukushima"
HOSTILE = "=cmd|' /C calc'!A0"


def _setup(app) -> dict:
    with in_tenant(app) as t:
        call, proposals = proposals_in_review(t)
        factories.user(t, Role.OPERATOR, "op@example.jp")
        a = reviewer(t, "a@example.jp", name="審査員A")
        b = reviewer(t, "b@example.jp", name="審査員B")
        for rev, points in ((a, 5), (b, 3)):
            score_proposal(declared(proposals[0], rev), rev, scores=dict.fromkeys(GOOD, points),
                           justifications=WHY | {"cost": HOSTILE})
        db.session.commit()
        return {"call": call.id, "proposal": proposals[0].id}


def test_results_show_average_spread_and_justifications(app, client):
    ids = _setup(app)
    login(client, "op@example.jp")
    page = client.get(f"{T}/calls/{ids['call']}/reviews").get_data(as_text=True)
    assert "甲社の提案" in page and "80.0" in page and "60.0〜100.0" in page and "20.0" in page
    assert "審査員A" in page and "ニーズに合致" in page
    assert "申込審査" in client.get(f"{T}/calls/{ids['call']}/reviews?kind=application").get_data(as_text=True)
    assert client.get(f"{T}/calls/{ids['call']}/reviews?kind=nope").status_code == 404


def test_rubric_editor_saves_until_the_first_score(app, client):
    ids = _setup(app)
    login(client, "op@example.jp")
    url = f"{T}/calls/{ids['call']}/reviews/rubric"
    assert "採点が始まっているため" in client.get(url).get_data(as_text=True)
    data = {"rows-0-key": "clarity2", "rows-0-label": "課題の具体性", "rows-0-max_points": "10", "rows-0-weight": "2",
            "rows-0-is_required": "y", "rows-1-key": "", "rows-1-label": ""}
    assert client.post(url, data=data).status_code == 400
    response = client.post(f"{url}?kind=application", data=data)
    assert response.status_code == 302
    with in_tenant(app):
        rows = db.session.scalars(sa.select(ReviewCriterion).order_by(ReviewCriterion.id)).all()
        assert [(r.key, str(r.target)) for r in rows[:3]] == [  # copied from the tenant at the first score
            ("necessity", "proposal"), ("feasibility", "proposal"), ("cost", "proposal")]
        assert [(r.key, r.max_points, r.weight, r.is_required, str(r.target)) for r in rows[3:]] == [
            ("clarity2", 10, 2.0, True, "application")]
    bad = client.post(f"{url}?kind=application", data=data | {"rows-0-key": "Bad Key"})
    assert bad.status_code == 400 and "項目キー" in bad.get_data(as_text=True)


def test_assignment_page_auto_assigns_edits_and_shows_workload(app, client):
    ids = _setup(app)
    login(client, "op@example.jp")
    base = f"{T}/calls/{ids['call']}/reviews/assignments"
    assert "割当がまだない" in client.get(base).get_data(as_text=True)
    assert client.post(f"{base}/auto", data={"per_item": "1", "cap_per_reviewer": "5"}).status_code == 302
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count(ReviewAssignment.id))) == 2
        b = db.session.scalar(sa.select(ReviewAssignment.reviewer_id).order_by(ReviewAssignment.id.desc()))
        second = db.session.scalar(sa.select(ReviewAssignment.proposal_id).order_by(ReviewAssignment.id.desc()))
    page = client.get(base).get_data(as_text=True)
    assert "審査員の負担" in page and "審査員A" in page
    assert client.post(f"{base}/edit", data={"action": "remove", "item_id": second, "reviewer_id": b}).status_code == 302
    assert client.post(f"{base}/edit", data={"action": "add", "item_id": second, "reviewer_id": b}).status_code == 302
    again = client.post(f"{base}/edit", data={"action": "add", "item_id": second, "reviewer_id": b})
    assert again.status_code == 400 and "すでに割り当てられています。" in again.get_data(as_text=True)
    assert client.post(f"{base}/auto", data={"per_item": "0", "cap_per_reviewer": "5"}).status_code == 400


def test_operator_pages_are_404_for_other_roles(app, client):
    ids = _setup(app)
    login(client, "a@example.jp")
    for path in ("", "/rubric", "/assignments", "/export.xlsx"):
        assert client.get(f"{T}/calls/{ids['call']}/reviews{path}").status_code == 404
    assert client.post(f"{T}/calls/{ids['call']}/reviews/assignments/auto", data={"per_item": "1"}).status_code == 404


def test_review_sheet_export(app, client):
    with in_tenant(app) as t:
        call, menu, (first, _second) = applications_in_selection(t)
        factories.user(t, Role.OPERATOR, "op@example.jp")
        rev = reviewer(t, "a@example.jp", name="審査員A")
        score_application(declared(first, rev), rev, scores=APP_SCORES, justifications=APP_WHY | {"effect": HOSTILE})
        selection = Selection(tenant_id=t.id, call_id=call.id)
        db.session.add(selection)
        db.session.flush()
        db.session.add(Allocation(tenant_id=t.id, selection_id=selection.id, application_id=first.id,
                                  menu_item_id=menu[0].id, choice_rank=1, pass_no=1, reason=HOSTILE))
        db.session.commit()
        call_id, first_id = call.id, first.id
    login(client, "op@example.jp")
    response = client.get(f"{T}/calls/{call_id}/reviews/export.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == ["申込審査", "メニュー提案審査"]
    sheet = workbook["申込審査"]
    headers = [c.value for c in sheet[1]]
    assert headers[:4] == ["申込ID", "市町村", "状態", "希望する支援メニュー"]
    assert "審査員A 評価理由" in headers and headers[-2:] == ["選定結果", "選定理由"]
    row = {h: c for h, c in zip(headers, sheet[2], strict=True)}
    assert row["申込ID"].value == first_id and row["市町村"].value == "福島市"
    assert row["審査員A 評価点（100点換算）"].value == 80.0 and row["平均点"].value == 80.0
    justification = row["審査員A 評価理由"]
    assert "=cmd" in justification.value and justification.data_type == "s"
    assert row["選定結果"].value.startswith("選定：No.1 テストメニュー1")
    assert (row["選定理由"].value, row["選定理由"].data_type, row["選定理由"].quotePrefix) == (HOSTILE, "s", True)  # text, never a formula
    assert all(cell.data_type != "f" for r in sheet.iter_rows() for cell in r)
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "review.export")) == 1


def test_reviewer_application_page_and_operator_redirect(app, client):
    with in_tenant(app) as t:
        _call, _menu, (first, _second) = applications_in_selection(t)
        reviewer(t, "a@example.jp")
        reviewer(t, "insider@example.jp", organisation=factories.provider(t, "甲社"))
        factories.user(t, Role.OPERATOR, "op@example.jp")
        db.session.commit()
        app_id = first.id
    login(client, "a@example.jp")
    url = f"{T}/reviews/applications/{app_id}"
    assert "庁内の情報セキュリティ対策" not in client.get(url).get_data(as_text=True)
    assert client.post(url, data={"form_name": "declare", "has_conflict": "no"}).status_code == 302
    assert "庁内の情報セキュリティ対策" in client.get(url).get_data(as_text=True)
    data = {f"score_{k}": str(v) for k, v in APP_SCORES.items()} | {f"reason_{k}": v for k, v in APP_WHY.items()}
    assert client.post(url, data=data).status_code == 302
    assert "申込審査" in client.get(f"{T}/reviews").get_data(as_text=True)
    client.get(f"{T}/logout")
    login(client, "insider@example.jp")
    assert client.get(url).status_code == 404
    client.get(f"{T}/logout")
    login(client, "op@example.jp")
    assert client.get(url).status_code == 302
