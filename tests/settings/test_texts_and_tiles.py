"""事業設定 › 通知文 (stored per tenant, previewed with sample values, placeholders checked, reset)
and › タイル地図 (uploaded CSV validated, downloadable, removable; the map says when it is not set)."""
import io

import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.extensions import db
from app.notifications.texts import render
from tests.conftest import in_tenant
from tests.settings.conftest import version

BASE = "/t/fukushima/settings"


def test_preview_renders_the_input_with_sample_values_without_saving(app, operator):
    response = operator.post(f"{BASE}/notifications/calls.open", data={
        "subject": "【{prefecture}】{call_title}のお知らせ", "body": "{municipality} 様 {url}", "action": "preview",
        "version_id": version(app)})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "【福島県】令和7年度 ICTアドバイザー派遣事業のお知らせ" in page and "サンプル町 様" in page
    with in_tenant(app) as tenant:
        assert tenant.notification_texts == {}


def test_an_unknown_placeholder_is_refused_listing_the_allowed_ones(app, operator):
    response = operator.post(f"{BASE}/notifications/calls.open", data={
        "subject": "{prefecture} {deadline}", "body": "本文", "action": "save", "version_id": version(app)})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "使えない差し込み項目があります: {deadline}" in page and "{call_title}" in page and "{ends_on}" in page
    assert 'href="#subject"' in page
    with in_tenant(app) as tenant:
        assert tenant.notification_texts == {}


def test_a_saved_text_is_used_for_the_notice_and_can_be_reset(app, operator):
    response = operator.post(f"{BASE}/notifications/calls.open", data={
        "subject": "{call_title}：受付開始（{office_phone}）", "body": "{municipality} 各位", "action": "save",
        "version_id": version(app)})
    assert response.status_code == 302
    with in_tenant(app) as tenant:
        tenant.profile = {"phone": "024-000-0000"}
        assert render(tenant, "calls.open", {"call_title": "募集"}).subject == "募集：受付開始（024-000-0000）"
        db.session.rollback()
    with app.app_context():
        assert db.session.scalar(sa.select(AuditEvent.changes).where(AuditEvent.action == "settings.notifications"))
    assert "変更あり" in operator.get(f"{BASE}/notifications").get_data(as_text=True)
    assert operator.post(f"{BASE}/notifications/calls.open/reset").status_code == 302
    with in_tenant(app) as tenant:
        assert tenant.notification_texts == {}
        assert render(tenant, "calls.open", {"call_title": "募集"}).subject.endswith("募集 申込受付を開始しました")


def test_an_unknown_notice_kind_is_404(operator):
    assert operator.get(f"{BASE}/notifications/no.such").status_code == 404


def upload(client, text: str):
    return client.post(f"{BASE}/tile-map", data={"file": (io.BytesIO(text.encode()), "layout.csv")},
                       content_type="multipart/form-data")


def _layout(app):
    with in_tenant(app) as tenant:
        return tenant.tile_layout


def test_the_tile_layout_is_downloaded_uploaded_and_removed(app, operator):
    stored = _layout(app)
    assert len(stored) == 59  # imported from tenants/fukushima/tile_layout.csv
    csv_text = operator.get(f"{BASE}/tile-map.csv").get_data(as_text=True)
    assert csv_text.startswith("lg_code,row,col\n") and len(csv_text.splitlines()) == 60
    assert upload(operator, "lg_code,row,col\n072010,0,0\n072028,0,1\n").status_code == 302
    assert _layout(app) == [["072010", 0, 0], ["072028", 0, 1]]
    assert operator.post(f"{BASE}/tile-map/clear").status_code == 302
    assert _layout(app) is None
    assert operator.get(f"{BASE}/tile-map.csv").status_code == 404
    page = operator.get("/t/fukushima/coverage/map").get_data(as_text=True)
    assert "タイル地図の配置が未設定" in page


def test_a_bad_tile_layout_is_refused_with_the_line_and_nothing_changes(app, operator):
    stored = _layout(app)
    for text, message in [("lg_code,row,col\n072010,0,0\n999999,0,1\n", "3行目: lg_code 999999 はこの事業の市町村にありません"),
                          ("lg_code,row,col\n072010,0,0\n072028,0,0\n", "既に 072010 があります"),
                          ("code,r,c\n072010,0,0\n", "列 lg_code,row,col が必要です")]:
        response = upload(operator, text)
        assert response.status_code == 400 and message in response.get_data(as_text=True), message
    assert _layout(app) == stored


def test_a_format_spec_in_a_placeholder_is_refused_so_that_no_notice_can_fail_to_render(app, operator):
    response = operator.post(f"{BASE}/notifications/calls.open", data={
        "subject": "{call_title!z}", "body": "{ends_on:d}", "action": "preview", "version_id": version(app)})
    assert response.status_code == 400 and "書式指定" in response.get_data(as_text=True)


def test_the_contact_details_are_shown_in_every_notice_signature(app):
    with in_tenant(app) as tenant:
        plain = render(tenant, "calls.open", {"call_title": "募集"}).body
        tenant.profile = {"phone": "024-521-0000", "email": "dx@pref.example.jp"}
        body = render(tenant, "calls.open", {"call_title": "募集"}).body
    assert "電話：024-521-0000\nメール：dx@pref.example.jp" in body and "電話" not in plain
