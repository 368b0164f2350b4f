"""HTTP hardening (issue 7 §3): start-up refusal without a strong key, security headers on every
kind of response, session cookie flags, error pages without internals, no open redirects."""
import secrets
from urllib.parse import quote, urlsplit

import pytest
import sqlalchemy as sa

from app import create_app
from app.auth.models import Role
from app.extensions import db
from tests import factories
from tests.conftest import _config, in_tenant, login

T = "/t/fukushima"
DEMO_PASSWORD = "demo-pass-2024"
STRONG_KEY = secrets.token_urlsafe(48)
# Rate-limit counters shared by every worker (app/core/ratelimit.py refuses memory:// in production).
SHARED_LIMITS = "redis://127.0.0.1:6379/15"


def csp_directives(response) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    parts = [p.strip().split() for p in response.headers["Content-Security-Policy"].split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


def assert_security_headers(response, *, production: bool = False) -> None:
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"] and csp["base-uri"] == ["'none'"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert not any(s in ("'unsafe-inline'", "'unsafe-eval'") or s.startswith(("'nonce-", "'sha")) for v in csp.values() for s in v)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("same-origin", "no-referrer", "strict-origin-when-cross-origin")
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["X-Request-Id"]
    hsts = response.headers.get("Strict-Transport-Security")
    if production:
        assert hsts and int(hsts.split("max-age=")[1].split(";")[0]) >= 31536000
    else:
        assert hsts is None  # never on plain-http local development (it would pin localhost to https)


# --- 1. start-up refusal -------------------------------------------------------------------

@pytest.mark.parametrize("key", [None, "", "dev-only-not-secret", "x" * 31])
def test_production_refuses_to_start_without_a_strong_secret_key(monkeypatch, tmp_path, key):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", SHARED_LIMITS)  # production refuses memory://
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    if key is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_production_starts_with_a_long_random_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", SHARED_LIMITS)  # production refuses memory://
    monkeypatch.setenv("APP_BASE_URL", "https://ict.pref.example-lg.jp")
    monkeypatch.setenv("MAIL_FROM", "no-reply@ict.pref.example-lg.jp")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", STRONG_KEY)
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is True and app.config["SESSION_COOKIE_HTTPONLY"] is True


# --- 2. headers on every kind of response ---------------------------------------------------

@pytest.fixture
def prod_app(templates, tmp_path, monkeypatch):
    """The demo database served with APP_ENV=production (HSTS, Secure cookies)."""
    monkeypatch.setenv("APP_ENV", "production")
    url = templates.clone("demo")
    app = create_app({**_config(url, tmp_path), "SECRET_KEY": STRONG_KEY, "APP_ENV": "production",
                      "RATELIMIT_STORAGE_URI": SHARED_LIMITS,
                      "APP_BASE_URL": "https://ict.pref.example-lg.jp", "MAIL_FROM": "no-reply@ict.pref.example-lg.jp"})
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    templates.drop(url)


def _attachment(app) -> int:
    """A stored PDF attachment on the first support session of the demo (operator may download)."""
    from app.engagements import attachments
    from app.engagements.models import SessionAttachment, SupportSession

    body = b"%PDF-1.4\n%%EOF\n"
    with in_tenant(app) as tenant:
        session = db.session.scalars(sa.select(SupportSession).order_by(SupportSession.id)).first()
        row = SessionAttachment(tenant_id=tenant.id, session_id=session.id, original_name="議事録.pdf",
                                storage_token=secrets.token_hex(16), content_type="application/pdf", size_bytes=len(body))
        db.session.add(row)
        db.session.flush()
        path = attachments.path_of(row)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)
        db.session.commit()
        return row.id


def _get_reauthenticated(client, path: str):
    """GET `path`, confirming the password first when the page asks for recent authentication."""
    response = client.get(path)
    if response.status_code == 302 and "/reauth" in response.headers["Location"]:
        client.post(response.headers["Location"], data={"password": DEMO_PASSWORD})
        response = client.get(path)
    return response


def test_headers_on_public_authenticated_download_and_error_responses(demo_app):
    demo_app.config["EXPORT_WORKERS"] = 0
    attachment_id = _attachment(demo_app)
    client = demo_app.test_client()
    assert_security_headers(client.get(f"{T}/login"))  # public
    assert_security_headers(client.get(f"{T}/no-such-page"))  # error page
    login(client, "operator@demo.example", DEMO_PASSWORD)
    page = client.get(f"{T}/")
    assert page.status_code == 200
    assert_security_headers(page)  # authenticated
    export = _get_reauthenticated(client, f"{T}/exports/calls.xlsx")
    assert export.status_code == 200 and export.mimetype.endswith("spreadsheetml.sheet")
    assert_security_headers(export)
    download = client.get(f"{T}/attachments/{attachment_id}")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert_security_headers(download)


def test_production_adds_hsts_and_a_secure_httponly_lax_session_cookie(prod_app):
    client = prod_app.test_client()
    https = {"base_url": "https://localhost"}
    assert_security_headers(client.get(f"{T}/login", **https), production=True)
    response = client.post(f"{T}/login", data={"email": "municipal-072010@demo.example", "password": DEMO_PASSWORD}, **https)
    assert response.status_code == 302
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(prod_app.config["SESSION_COOKIE_NAME"] + "="))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax", "path=/"} <= flags
    assert cookie.startswith("__Host-") and not any(f.startswith("domain=") for f in flags)  # never sent to other hosts
    home = client.get(f"{T}/", **https)
    assert home.status_code == 200  # the Secure cookie came back over https
    assert_security_headers(home, production=True)


def test_development_session_cookie_is_httponly_lax_but_not_secure(app):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.MUNICIPAL, "m@example.jp", organisation=factories.municipality("072010"))
        db.session.commit()
    response = app.test_client().post(f"{T}/login", data={"email": "m@example.jp", "password": factories.PASSWORD})
    cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith(app.config["SESSION_COOKIE_NAME"] + "="))
    flags = {f.strip().lower() for f in cookie.split(";")[1:]}
    assert {"httponly", "samesite=lax"} <= flags and "secure" not in flags


# --- error pages ---------------------------------------------------------------------------

def test_an_unexpected_error_shows_the_japanese_500_page_without_internals(app):
    app.config.update(PROPAGATE_EXCEPTIONS=False, DEBUG=False)

    def explode():
        raise ValueError("secret-internal-detail /srv/app/db.py password=hunter2")

    app.add_url_rule("/_test/explode", "explode", explode)
    response = app.test_client().get("/_test/explode")
    body = response.get_data(as_text=True)
    assert response.status_code == 500
    assert "システムエラー" in body
    for leak in ("Traceback", "secret-internal-detail", "ValueError", "hunter2", ".py", "File \""):
        assert leak not in body
    assert_security_headers(response)


# --- next= ---------------------------------------------------------------------------------

HOSTILE_NEXT = [
    "//evil.example/x", "///evil.example", "/\\evil.example", "\\\\evil.example", "https://evil.example/",
    "http:evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "%2F%2Fevil.example", "/%2F%2Fevil.example",
    "/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", " //evil.example", "/ /evil.example", "\x00//evil.example",
    "data:text/html,x", "//evil.example@good", "https:/evil.example", "/\\/evil.example", "evil.example",
]


# As sent on the wire (percent-encoded by the attacker): the server decodes them once.
RAW_QUERY_NEXT = ["%2F%2Fevil.example", "%2f%2fevil.example", "/%09/evil.example", "/%0d%0a/evil.example",
                  "%5C%5Cevil.example", "/%5Cevil.example", "%2F%5Cevil.example", "https%3A%2F%2Fevil.example"]


@pytest.mark.parametrize("query", [quote(t, safe="") for t in HOSTILE_NEXT] + RAW_QUERY_NEXT)
def test_login_never_redirects_off_site(app, query):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()
    response = app.test_client().post(f"{T}/login?next={query}",
                                      data={"email": "op@example.jp", "password": factories.PASSWORD})
    if "%00" in query:  # a NUL in the query string is refused outright (app.core.web): no redirect at all
        assert response.status_code == 400
        return
    assert response.status_code == 302
    location = response.headers["Location"]
    cleaned = "".join(ch for ch in location if ch not in "\t\r\n")  # what a browser would follow
    assert cleaned.startswith("/") and not cleaned.startswith(("//", "/\\")) and "\\" not in cleaned
    assert not urlsplit(cleaned).netloc and not urlsplit(cleaned).scheme


def test_a_local_next_path_is_still_followed(app):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()
    response = app.test_client().post(f"{T}/login?next=/t/fukushima/calls%3Ffiscal_year%3D2024",
                                      data={"email": "op@example.jp", "password": factories.PASSWORD})
    assert response.headers["Location"] == "/t/fukushima/calls?fiscal_year=2024"
