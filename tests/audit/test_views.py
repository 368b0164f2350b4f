"""The operator's 監査ログ page: newest first, JST with UTC, readable changes, filters (JST dates to
UTC bounds, action, actor, target type, request id), pagination, operators of the tenant only,
and its Excel export with the same filters."""
import io

import openpyxl
import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEvent
from app.extensions import db
from tests import factories
from tests.audit.helpers import event, events, other_tenant, utc
from tests.conftest import in_tenant, login

URL = "/t/fukushima/audit"


@pytest.fixture
def trail(app):
    """Operator 「担当 花子」 and reviewer; four Fukushima events around midnight JST of 2024-05-16,
    and one event of another tenant."""
    with in_tenant(app) as tenant:
        op = factories.user(tenant, Role.OPERATOR, "op@example.jp", name="担当 花子")
        rev = factories.user(tenant, Role.REVIEWER, "rev@example.jp", name="審査 次郎")
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", factories.municipality("072010"))
        factories.user(tenant, Role.PROVIDER, "prov@example.jp", factories.provider(tenant))
        event(tenant.id, "application.transition", utc("2024-05-15 14:59"), actor=op, target_type="applications", target_id=7,
              changes={"state": ["submitted", "accepted"], "note": "確認済み"}, request_id="req-early", ip="192.0.2.10")
        event(tenant.id, "auth.login", utc("2024-05-15 15:00"), actor=rev, target_type="users", target_id=rev.id,
              request_id="req-login", ip="192.0.2.11")
        event(tenant.id, "custom.unlabelled", utc("2024-05-16 14:59"), changes={"rows": 3})
        event(tenant.id, "auth.login_failed", utc("2024-05-16 15:00"), changes={"email": "who@example.jp"}, ip="198.51.100.7")
        other = other_tenant()
        event(other.id, "auth.login", utc("2024-05-16 01:00"), request_id="req-other-tenant")
        db.session.commit()
        return {"op": op.id, "rev": rev.id}


def _page(client, **args) -> str:
    response = client.get(URL, query_string=args)
    assert response.status_code == 200, response.get_data(as_text=True)[:400]
    return response.get_data(as_text=True)


def test_operator_sees_the_trail_newest_first_readably_and_only_of_this_tenant(app, client, trail):
    login(client, "op@example.jp")
    page = _page(client).split("<tbody>", 1)[1]
    order = [page.index(marker) for marker in ("ログイン失敗", "custom.unlabelled", "審査 次郎", "申込の状態変更")]
    assert order == sorted(order), "newest first"
    assert "2024年5月16日 00:00" in page and "UTC 2024-05-15 15:00:00" in page  # JST, with the UTC value
    assert "submitted → accepted" in page and "確認済み" in page and "状態" in page  # changes rendered, not raw JSON
    assert "申込 #7" in page and "192.0.2.10" in page and "req-early" in page
    assert "審査員" in page and "システム" in page  # roles: the reviewer's label; anonymous failure = system
    assert "req-other-tenant" not in page
    assert 'href="/t/fukushima/exports/audit_events.xlsx"' in _page(client)
    assert '<a href="/t/fukushima/audit" aria-current="page">監査ログ</a>' in _page(client)  # in the navigation


@pytest.mark.parametrize("email", ["rev@example.jp", "muni@example.jp", "prov@example.jp"])
def test_other_roles_get_404(client, trail, email):
    login(client, email)
    assert client.get(URL).status_code == 404
    assert client.get("/t/fukushima/exports/audit_events.xlsx").status_code == 404


def test_anonymous_goes_to_login_and_other_tenants_operator_gets_404(app, client, trail):
    assert client.get(URL).status_code == 302 and "/login" in client.get(URL).headers["Location"]
    with in_tenant(app, "shizuoka-test") as other:
        factories.user(other, Role.OPERATOR, "op2@example.jp", organisation=None)
        db.session.commit()
    login(client, "op2@example.jp", slug="shizuoka-test")
    foreign = client.get(URL)  # a session belongs to its tenant: 404 or that tenant's login, never the trail
    assert foreign.status_code in (302, 404) and "req-early" not in foreign.get_data(as_text=True)
    page = client.get("/t/shizuoka-test/audit").get_data(as_text=True)
    assert "req-other-tenant" in page and "req-early" not in page


@pytest.mark.parametrize("args, shown, hidden", [
    ({"date_from": "2024-05-16"}, ["審査 次郎", "custom.unlabelled", "who@example.jp"], ["req-early"]),
    ({"date_to": "2024-05-16"}, ["req-early", "審査 次郎", "custom.unlabelled"], ["who@example.jp"]),
    ({"date_from": "2024-05-16", "date_to": "2024-05-16"}, ["審査 次郎", "custom.unlabelled"], ["req-early", "who@example.jp"]),
    ({"action": "auth.login"}, ["req-login"], ["req-early", "who@example.jp"]),
    ({"target_type": "applications"}, ["req-early"], ["req-login", "who@example.jp"]),
    ({"request_id": "req-login"}, ["req-login"], ["req-early", "who@example.jp"]),
])
def test_filters(client, trail, args, shown, hidden):
    login(client, "op@example.jp")
    body = _page(client, **args).split("<tbody>", 1)[-1]
    assert all(s in body for s in shown) and not any(h in body for h in hidden)


def test_actor_filter_and_selects_offer_what_is_present_with_japanese_labels(client, trail):
    login(client, "op@example.jp")
    page = _page(client)
    assert '<option value="auth.login_failed">ログイン失敗</option>' in page
    assert '<option value="custom.unlabelled">custom.unlabelled</option>' in page  # no label: the raw action
    assert '<option value="applications">申込</option>' in page
    assert f'<option value="{trail["rev"]}">審査 次郎（rev@example.jp）</option>' in page
    body = _page(client, actor=str(trail["rev"])).split("<tbody>", 1)[-1]
    assert "req-login" in body and "req-early" not in body


@pytest.mark.parametrize("args, message", [
    ({"date_from": "2024-13-40"}, "日付は「2024-05-16」の形で入力してください。"),
    ({"date_from": "0001-01-01"}, "2000年から2099年までの日付を入力してください。"),
    ({"date_to": "9999-12-31"}, "2000年から2099年までの日付を入力してください。"),
    ({"date_from": "2024-05-16", "date_to": "2024-05-15"}, "終了日は開始日以降の日付にしてください。"),
    ({"actor": "abc"}, "実行者の指定が正しくありません。"),
    ({"request_id": "x" * 65}, "リクエストIDは64文字以内で入力してください。"),
])
def test_bad_filters_get_a_japanese_message_and_400_and_are_ignored(client, trail, args, message):
    login(client, "op@example.jp")
    response = client.get(URL, query_string=args)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert "custom.unlabelled" in page.split("<tbody>", 1)[1]  # the bad field is ignored, the list still shows


def test_pages_of_fifty(app, client, trail):
    with in_tenant(app) as tenant:
        for n in range(50):
            event(tenant.id, "case.update", utc("2024-06-01 00:00"), request_id=f"bulk-{n:02d}")
        db.session.commit()
    login(client, "op@example.jp")
    first, second = _page(client), _page(client, page=2)
    with in_tenant(app) as tenant:  # the 50 + the trail + what setting up the tenant and the login wrote
        total = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.tenant_id == tenant.id))
    assert 50 < total <= 100
    assert f"1 / 2 ページ（全{total}件）" in first and "bulk-49" in first and "who@example.jp" not in first
    assert "who@example.jp" in second and "req-early" in second and "bulk-49" not in second


def test_export_holds_the_filtered_rows_with_japanese_headers_and_is_audited(app, client, trail):
    login(client, "op@example.jp")
    response = client.get("/t/fukushima/exports/audit_events.xlsx", query_string={"date_to": "2024-05-16", "action": "auth.login"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:6] == ["日時（日本時間）", "日時（UTC）", "実行者", "実行者のメールアドレス", "役割", "操作"]
    assert rows[0][8:] == ["変更内容", "IPアドレス", "リクエストID"]
    assert len(rows) == 2 and rows[1][2:7] == ["審査 次郎", "rev@example.jp", "審査員", "ログイン", "auth.login"]
    assert rows[1][0] == "2024年5月16日 00:00" and rows[1][1] == "2024-05-15 15:00:00" and rows[1][-1] == "req-login"
    with in_tenant(app) as tenant:
        [audit] = events(AuditEvent.action == "export.download", AuditEvent.tenant_id == tenant.id)
        assert audit.actor_id == trail["op"] and audit.changes["export"] == "audit_events"
        assert audit.changes["params"] == {"date_to": "2024-05-16", "action": "auth.login"} and audit.changes["rows"] == 1


def test_export_cells_that_look_like_formulas_stay_text(app, client, trail):
    with in_tenant(app) as tenant:
        event(tenant.id, "=HYPERLINK(\"http://evil\")", utc("2024-07-01 00:00"), request_id="=1+1")
        db.session.commit()
    login(client, "op@example.jp")
    response = client.get("/t/fukushima/exports/audit_events.xlsx", query_string={"request_id": "=1+1"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    cells = [c for row in sheet.iter_rows(min_row=2) for c in row if isinstance(c.value, str) and c.value.startswith("=")]
    assert cells and all(c.data_type == "s" for c in cells)


def _count_queries(app, client, url) -> int:
    with app.app_context():
        engine = db.engine
    statements = []

    def count(*_args):
        statements.append(1)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(url).status_code == 200
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)
    return len(statements)


def test_the_page_does_not_grow_queries_with_rows_or_actors(app, client, trail):
    login(client, "op@example.jp")
    client.get(URL)  # warm up
    few = _count_queries(app, client, URL)
    with in_tenant(app) as tenant:
        for n in range(30):
            actor = factories.user(tenant, Role.PROVIDER, f"p{n}@example.jp", factories.provider(tenant))
            event(tenant.id, "session.log", utc("2024-06-01 00:00"), actor=actor, target_type="support_sessions", target_id=n)
        db.session.commit()
    assert _count_queries(app, client, URL) == few


@pytest.mark.parametrize("args", [
    {"page": "-3"}, {"page": "abc"}, {"page": "99999999999999999999"}, {"action": "\x00"}, {"target_type": "a\x00b"},
    {"request_id": "\x00"}, {"actor": "999999999999"}, {"actor": "\x00"}, {"date_from": "\x00"}, {"date_to": "2024-02-30"},
    {"action": "x" * 500, "target_type": "y" * 500},
])
def test_hostile_query_strings_never_give_a_500(client, trail, args):
    login(client, "op@example.jp")
    assert client.get(URL, query_string=args).status_code in (200, 400)
    refused = any("\x00" in value for value in args.values())  # a NUL in a query string is refused app-wide
    assert client.get("/t/fukushima/exports/audit_events.xlsx", query_string=args).status_code == (400 if refused else 200)
