"""Behind a reverse proxy (issue 14 §6): X-Forwarded-For is believed only with PROXY_FIX_HOPS
configured (audit and session IPs are the client's, and cannot be faked without a proxy); and no
response names the server software's version."""
import http.client
import threading

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import Role, UserSession
from app.extensions import db
from tests import factories
from tests.conftest import _config, in_tenant, login


@pytest.fixture
def app_with_hops(templates, tmp_path):
    def build(hops: int):
        url = templates.clone("base")
        app = create_app({**_config(url, tmp_path), "PROXY_FIX_HOPS": hops})
        with in_tenant(app) as tenant:
            factories.user(tenant, Role.OPERATOR, "op@example.jp")
            db.session.commit()
        built.append((app, url))
        return app

    built = []
    yield build
    for app, url in built:
        with app.app_context():
            db.engine.dispose()
        templates.drop(url)


def _session_ip(app) -> str:
    with in_tenant(app):
        return db.session.scalar(sa.select(UserSession.ip).order_by(UserSession.id.desc()))


@pytest.mark.parametrize("hops,expected", [(0, "10.0.0.5"), (1, "203.0.113.7")])
def test_x_forwarded_for_is_the_client_address_only_with_hops_configured(app_with_hops, hops, expected):
    app = app_with_hops(hops)
    client = app.test_client()
    client.environ_base.update(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="203.0.113.7")
    login(client, "op@example.jp")
    assert _session_ip(app) == expected


def test_only_the_configured_number_of_hops_is_trusted(app_with_hops):
    app = app_with_hops(1)
    client = app.test_client()  # the client put a fake address first; nginx appended the real one
    client.environ_base.update(REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7")
    login(client, "op@example.jp")
    assert _session_ip(app) == "203.0.113.7"


def test_the_development_server_sends_no_server_version_header(app):
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        assert response.status == 200
        headers = " ".join(f"{k}: {v}" for k, v in response.getheaders())
        assert response.getheader("Server") is None
        assert "Werkzeug" not in headers and "Python/" not in headers
    finally:
        server.shutdown()
