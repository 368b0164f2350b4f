"""gunicorn.conf.py: workers from the environment, proxy trust, and an access log without query
strings or link tokens (issue 14 §6)."""
import runpy
from pathlib import Path
from types import SimpleNamespace

CONF = Path(__file__).resolve().parent.parent / "gunicorn.conf.py"


def test_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    conf = runpy.run_path(str(CONF))
    assert (conf["workers"], conf["timeout"], conf["bind"]) == (3, 45, "127.0.0.1:8000")
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1" and conf["preload_app"] is True
    assert "%(q)s" not in conf["access_log_format"] and "%(r)s" not in conf["access_log_format"]


def test_the_access_log_holds_no_query_string_and_no_link_token(monkeypatch):
    conf = runpy.run_path(str(CONF))
    from gunicorn.config import Config

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", conf["access_log_format"])
    logger = conf["RedactingLogger"](cfg)
    token = "Zq3" * 14
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/t/fukushima/invitations/{token}?q=山田",
               "PATH_INFO": f"/t/fukushima/invitations/{token}", "QUERY_STRING": "q=山田",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1"}
    req = SimpleNamespace(headers=[], method="GET", path=environ["PATH_INFO"], query="q=山田", uri=environ["RAW_URI"],
                          version=(1, 1))
    resp = SimpleNamespace(status="200 OK", headers=[("X-Request-Id", "abc")], sent=10, response_length=10)
    atoms = logger.atoms(resp, req, environ, SimpleNamespace(seconds=0, microseconds=1000, total_seconds=lambda: 0.001))
    line = conf["access_log_format"] % atoms
    assert token not in line and "山田" not in line and "q=" not in line
    assert "/t/fukushima/invitations/…" in line and '"abc"' in line
    assert token not in atoms["r"] and "?" not in atoms["r"]
