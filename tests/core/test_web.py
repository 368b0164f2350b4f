"""Cross-cutting web behaviour: CSRF, headers, error pages, redirects, inline content, request ids."""
import re
from pathlib import Path

import pytest

from app.auth.models import Role
from app.extensions import db
from tests import factories
from tests.conftest import in_tenant, login


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


# --- no inline script or style anywhere (CSP without 'unsafe-inline', issue 7 §3) -----------

INLINE_STYLE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I)
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""\b(?:href|src|action|formaction)\s*=\s*["']?\s*javascript:""", re.I)
INLINE_PATTERNS = {"style attribute": INLINE_STYLE, "inline script": INLINE_SCRIPT, "event handler": EVENT_HANDLER,
                   "javascript: URL": JS_URL}
DEMO_LOGINS = ["operator@demo.example", "reviewer@demo.example", "municipal-072010@demo.example", "provider-1@demo.example"]


def inline_findings(html: str) -> list[str]:
    """Names of the inline-content patterns found in `html` (with the offending snippet)."""
    return [f"{name}: {m.group(0)[:80]}" for name, rx in INLINE_PATTERNS.items() for m in rx.finditer(html)]


def test_the_patterns_catch_what_the_csp_would_block():
    assert inline_findings('<p style="color:red">') and inline_findings("<script>alert(1)</script>")
    assert inline_findings('<button type="button" onclick="x()">') and inline_findings('<a href="javascript:x()">')
    assert not inline_findings('<script src="/static/app.js" defer></script><p class="note">on=1</p>')


def test_no_template_has_inline_script_style_or_event_handlers():
    root = Path(__file__).resolve().parents[2] / "app"
    templates = sorted(root.rglob("templates/**/*.html"))
    assert len(templates) > 50
    problems = {str(p.relative_to(root)): found for p in templates if (found := inline_findings(p.read_text("utf-8")))}
    assert problems == {}


def _tenant_get_routes(app) -> list[str]:
    """Every GET route of the tenant that needs no argument but the tenant slug."""
    rules = [r for r in app.url_map.iter_rules() if "GET" in r.methods and r.rule.startswith("/t/<tenant_slug>")
             and r.arguments == {"tenant_slug"}]
    return sorted({r.rule.replace("<tenant_slug>", "fukushima") for r in rules})


@pytest.mark.parametrize("email", [None, *DEMO_LOGINS])
def test_every_page_of_every_demo_role_has_no_inline_content_and_no_500(demo_app, email):
    demo_app.config["EXPORT_WORKERS"] = 0  # large exports stay queued instead of starting threads
    client = demo_app.test_client()
    if email:
        login(client, email, "demo-pass-2024")
    routes = _tenant_get_routes(demo_app)
    assert len(routes) > 20
    failures = {}
    for path in routes:
        response = client.get(path)
        if response.status_code >= 500:
            failures[path] = response.status_code
        elif response.mimetype == "text/html" and (found := inline_findings(response.get_data(as_text=True))):
            failures[path] = found
    assert failures == {}


def test_every_response_carries_its_request_id(client):
    response = client.get("/t/fukushima/login", headers={"X-Request-Id": "proxy-abc.123"})
    assert response.headers["X-Request-Id"] == "proxy-abc.123"
    forged = client.get("/t/fukushima/login", headers={"X-Request-Id": "x\" injected=1 <b>"})
    assert re.fullmatch(r"[0-9a-f]{16}", forged.headers["X-Request-Id"])  # unsafe ids are replaced
    assert client.get("/healthz").headers["X-Request-Id"] != client.get("/healthz").headers["X-Request-Id"]
