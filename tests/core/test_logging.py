"""Structured logs (issue 7 §7): one JSON object per line, request ids, no secrets."""
import datetime as dt
import json
import logging

import pytest

from app.auth.models import Role
from app.core.logging import REDACTED, configure_logging
from app.extensions import db
from tests import factories
from tests.conftest import in_tenant

T = "/t/fukushima"


def json_lines(text: str) -> list[dict]:
    """Every JSON object line of captured stderr (other lines, e.g. alembic's console, skipped)."""
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def access_lines(capsys) -> list[dict]:
    return [r for r in json_lines(capsys.readouterr().err) if r["logger"] == "app.access"]


@pytest.fixture
def operator(app):
    with in_tenant(app) as tenant:
        user = factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()
        return user.id


def test_each_request_logs_one_json_access_line_with_its_request_id(client, capsys):
    capsys.readouterr()
    response = client.get(f"{T}/login")
    [line] = access_lines(capsys)
    assert line["request_id"] == response.headers["X-Request-Id"]
    assert (line["level"], line["message"], line["method"], line["path"], line["status"]) == ("INFO", "request", "GET", f"{T}/login", 200)
    assert line["tenant"] == "fukushima" and line["endpoint"] == "auth.login" and line["user_id"] is None
    assert isinstance(line["duration_ms"], (int, float)) and line["duration_ms"] >= 0
    assert dt.datetime.fromisoformat(line["time"]).utcoffset() == dt.timedelta(0)


def test_a_login_never_puts_the_password_or_query_string_in_the_log(app, client, operator, capsys):
    capsys.readouterr()
    client.post(f"{T}/login?next=/t/fukushima/calls&token=query-secret-123", data={"email": "op@example.jp", "password": "Wrong-Pass-987654"})
    client.post(f"{T}/login?next=/t/fukushima/calls", data={"email": "op@example.jp", "password": factories.PASSWORD})
    out = capsys.readouterr().err
    for secret in ("Wrong-Pass-987654", factories.PASSWORD, "query-secret-123", "next="):
        assert secret not in out
    lines = [r for r in json_lines(out) if r["logger"] == "app.access"]
    assert [(r["method"], r["path"], r["status"]) for r in lines] == [("POST", f"{T}/login", 400), ("POST", f"{T}/login", 302)]
    assert lines[0]["user_id"] is None and lines[1]["user_id"] == operator  # the user who logged in


def test_the_survey_link_token_never_reaches_the_log(client, capsys):
    capsys.readouterr()
    client.get(f"{T}/survey-link?token=LinkTokenAbcdef0123456789")
    client.post(f"{T}/survey-link", data={"token": "LinkTokenAbcdef0123456789"})
    out = capsys.readouterr().err
    assert "LinkTokenAbcdef0123456789" not in out
    assert {r["path"] for r in json_lines(out) if r["logger"] == "app.access"} == {f"{T}/survey-link"}


def test_secret_looking_extra_values_are_redacted(app, capsys):
    logging.getLogger("app.test").warning("mail sent", extra={
        "password": "p1", "csrf_token": "c1", "session_cookie": "s1",
        "smtp": {"host": "mail.example", "Authorization": "Bearer b1", "nested": [{"api_key": "k1"}]},
    })
    [line] = [r for r in json_lines(capsys.readouterr().err) if r["logger"] == "app.test"]
    assert line["password"] == line["csrf_token"] == line["session_cookie"] == REDACTED
    assert line["smtp"] == {"host": "mail.example", "Authorization": REDACTED, "nested": [{"api_key": REDACTED}]}


def test_an_unexpected_error_is_logged_with_its_traceback_and_request_id(app, capsys):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def explode():
        raise ValueError("boom-for-the-log")

    app.add_url_rule("/_test/explode", "explode", explode)
    capsys.readouterr()
    response = app.test_client().get("/_test/explode")
    lines = json_lines(capsys.readouterr().err)
    [error] = [r for r in lines if r["level"] == "ERROR"]
    assert "boom-for-the-log" in error["exc_info"] and error["request_id"] == response.headers["X-Request-Id"]
    assert [r["status"] for r in lines if r["logger"] == "app.access"] == [500]
    assert "boom-for-the-log" not in response.get_data(as_text=True)  # the operator sees it, the user does not


def test_creating_the_app_twice_installs_one_handler_and_text_format_is_available(app, capsys):
    from app import create_app

    create_app({**app.config, "LOG_FORMAT": "json"})
    assert sum(1 for h in logging.getLogger().handlers if getattr(h, "_ictad_handler", False)) == 1
    try:
        configure_logging("text")
        logging.getLogger("app.test").warning("plain line")
        err = capsys.readouterr().err
        assert "WARNING app.test" in err and "plain line" in err and not json_lines(err)
    finally:
        configure_logging("json")


def test_a_token_in_the_path_is_logged_as_the_route_pattern(app, capsys):
    app.add_url_rule("/_test/reset/<token>", "reset", lambda token: "ok")
    capsys.readouterr()
    app.test_client().get("/_test/reset/PathTokenXyz987")
    out = capsys.readouterr().err
    assert "PathTokenXyz987" not in out
    assert [r["path"] for r in json_lines(out) if r["logger"] == "app.access"] == ["/_test/reset/<token>"]
