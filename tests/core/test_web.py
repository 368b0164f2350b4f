"""Cross-cutting web behaviour: CSRF, headers, error pages, redirects."""
from app.auth.models import Role
from app.extensions import db
from tests import factories
from tests.conftest import in_tenant


def test_state_changes_without_a_csrf_token_are_refused_in_japanese(app):
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    response = client.post("/t/fukushima/login", data={"email": "a@example.jp", "password": "x" * 10})
    assert response.status_code == 400
    assert "再読み込み" in response.get_data(as_text=True)


def test_a_form_with_its_token_is_accepted(app):
    app.config["WTF_CSRF_ENABLED"] = True
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()
    client = app.test_client()
    page = client.get("/t/fukushima/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/t/fukushima/login", data={"email": "op@example.jp", "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_security_headers_on_every_page(client):
    response = client.get("/t/fukushima/login")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cache-Control"] == "no-store"


def test_unknown_tenant_and_pages_answer_404_in_japanese(client):
    response = client.get("/t/nowhere/")
    assert response.status_code == 404
    assert "ページが見つかりません" in response.get_data(as_text=True)


def test_next_redirects_only_to_local_paths(app, client):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()
    for target, expected in [("/t/fukushima/calls", "/t/fukushima/calls"), ("//evil.example/x", "/t/fukushima/"),
                             ("https://evil.example/", "/t/fukushima/")]:
        client.post("/t/fukushima/logout")
        response = client.post(f"/t/fukushima/login?next={target}", data={"email": "op@example.jp", "password": factories.PASSWORD})
        assert response.headers["Location"] == expected


def test_healthz(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
