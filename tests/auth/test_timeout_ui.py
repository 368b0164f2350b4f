"""The idle-timeout warning: a banner element with data attributes for logged-in users, a static
script (no inline script under CSP), and a keep-alive POST that really extends the session."""
import re

from tests.auth.conftest import T
from tests.conftest import login


def test_the_script_is_served_as_a_static_file(client):
    response = client.get("/static/session-timeout.js")
    assert response.status_code == 200 and "javascript" in response.mimetype
    body = response.get_data(as_text=True)
    assert "session-timeout" in body and "X-CSRFToken" in body


def test_logged_in_pages_carry_the_banner_and_load_the_script_without_inline_code(users, client):
    login(client, "op@example.jp")
    html = client.get(f"{T}/calls").get_data(as_text=True)
    banner = re.search(r'<div id="session-timeout"[^>]*>', html, re.S).group(0)
    assert 'data-idle-seconds="1800"' in banner and 'data-warn-seconds="300"' in banner
    assert f'data-keepalive-url="{T}/session/keepalive"' in banner and " hidden" in banner
    assert "ログインを延長" in html and '<meta name="csrf-token"' in html
    assert '<script src="/static/session-timeout.js" defer></script>' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # CSP script-src 'self': no inline script
    assert " style=" not in html


def test_anonymous_pages_have_no_banner(users, client):
    html = client.get(f"{T}/login").get_data(as_text=True)
    assert 'id="session-timeout"' not in html and "session-timeout.js" not in html


def test_keep_alive_extends_an_idle_session(users, client, clock):
    login(client, "op@example.jp")
    clock.advance(minutes=26)  # the banner would be showing now
    response = client.post(f"{T}/session/keepalive")
    assert response.status_code == 200 and response.get_json()["ok"] is True
    clock.advance(minutes=26)  # 52 minutes after login, 26 after 「ログインを延長」
    assert client.get(f"{T}/calls").status_code == 200


def test_keep_alive_cannot_revive_an_expired_session(users, client, clock):
    login(client, "op@example.jp")
    clock.advance(minutes=31)
    assert client.post(f"{T}/session/keepalive").status_code == 401
    assert client.get(f"{T}/calls").status_code == 302


def test_keep_alive_is_post_only(users, client):
    login(client, "op@example.jp")
    assert client.get(f"{T}/session/keepalive").status_code == 405


def test_keep_alive_needs_the_csrf_token_the_script_reads_from_the_meta_tag(users, client):
    from tests import factories

    users.config["WTF_CSRF_ENABLED"] = True
    form = client.get(f"{T}/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
    client.post(f"{T}/login", data={"email": "op@example.jp", "password": factories.PASSWORD, "csrf_token": token})
    html = client.get(f"{T}/calls").get_data(as_text=True)
    meta = re.search(r'<meta name="csrf-token" content="([^"]+)">', html).group(1)
    assert client.post(f"{T}/session/keepalive").status_code == 400
    assert client.post(f"{T}/session/keepalive", headers={"X-CSRFToken": meta}).status_code == 200
