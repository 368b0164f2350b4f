"""Rate limits per client address on the pages without login (app/ratelimits.py): a refused request
answers 429 with Retry-After and a Japanese page (JSON on the open-data API), and its view does not
run. The login limits and the per-account ceiling are in tests/auth/test_throttle.py."""
from __future__ import annotations

import pytest

from tests.conftest import enable_rate_limits

T = "/t/fukushima"
CLIENT = {"REMOTE_ADDR": "203.0.113.9"}


def _statuses(send, times: int) -> list[int]:
    return [send().status_code for _ in range(times)]


def test_the_429_page_is_japanese_with_retry_after_and_no_trace(app, client):
    enable_rate_limits(app, RATELIMIT_ACCOUNT_LINKS="2 per hour")
    assert _statuses(lambda: client.post(f"{T}/invitations/unknown", environ_base=CLIENT), 2) == [410, 410]
    response = client.post(f"{T}/invitations/unknown", environ_base=CLIENT)
    body = response.get_data(as_text=True)
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert "しばらくお待ちください" in body and "分ほど待ってから" in body
    assert 3000 < int(response.headers["Retry-After"]) <= 3600
    assert "Traceback" not in body and "RateLimitExceeded" not in body
    # Per address: another client is not refused; GET (the page) is not limited here.
    assert client.post(f"{T}/invitations/unknown", environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 410
    assert client.get(f"{T}/invitations/unknown", environ_base=CLIENT).status_code == 410


def test_the_reset_link_shares_the_account_link_limit(app, client):
    enable_rate_limits(app, RATELIMIT_ACCOUNT_LINKS="2 per minute")
    client.post(f"{T}/invitations/unknown", environ_base=CLIENT)
    client.post(f"{T}/password/reset/unknown", environ_base=CLIENT)
    assert client.post(f"{T}/password/reset/unknown", environ_base=CLIENT).status_code == 429


def test_password_reset_requests_are_limited_per_address(app, client, monkeypatch):
    enable_rate_limits(app, RATELIMIT_PASSWORD_RESET="3 per minute")
    sent = []
    monkeypatch.setattr("app.accounts.services.request_password_reset", lambda *a: sent.append(a))
    send = lambda: client.post(f"{T}/password/forgot", data={"email": "op@example.jp"}, environ_base=CLIENT)  # noqa: E731
    assert _statuses(send, 5) == [302, 302, 302, 429, 429]
    assert len(sent) == 3


def test_survey_links_are_limited_per_address_for_page_and_answer(app, client):
    enable_rate_limits(app, RATELIMIT_SURVEY_LINKS="3 per minute")
    assert client.get(f"{T}/survey-link?token=x", environ_base=CLIENT).status_code == 404
    assert client.post(f"{T}/survey-link", data={"token": "x"}, environ_base=CLIENT).status_code == 404
    assert client.get(f"{T}/survey-link?token=y", environ_base=CLIENT).status_code == 404
    assert client.get(f"{T}/survey-link?token=z", environ_base=CLIENT).status_code == 429


def test_the_api_has_one_generous_budget_per_address_and_answers_json(app, client):
    enable_rate_limits(app)
    assert "300 per minute" in app.config["RATELIMIT_API"]
    app.config["RATELIMIT_API"] = "3 per minute"
    for path in ("municipalities", "menu", "coverage"):
        assert client.get(f"{T}/api/v1/{path}", environ_base=CLIENT).status_code in (200, 404)
    response = client.get(f"{T}/api/v1/municipalities", environ_base=CLIENT)
    assert response.status_code == 429 and response.is_json
    assert "待ってから" in response.json["error"] and int(response.headers["Retry-After"]) > 0
    assert client.get(f"{T}/api/v1/municipalities", environ_base={"REMOTE_ADDR": "192.0.2.50"}).status_code == 200


def test_both_login_pages_and_the_code_step_share_one_budget_per_address(app, client):
    enable_rate_limits(app, RATELIMIT_LOGIN="3 per minute")
    client.post(f"{T}/login", data={"email": "a@example.jp", "password": "x"}, environ_base=CLIENT)
    client.post("/admin/login", data={"email": "a@example.jp", "password": "x"}, environ_base=CLIENT)
    client.post(f"{T}/login/mfa", data={"code": "000000"}, environ_base=CLIENT)
    assert client.post("/admin/login", data={"email": "b@example.jp", "password": "x"}, environ_base=CLIENT).status_code == 429
    assert client.post(f"{T}/login/mfa", data={"code": "000000"}, environ_base=CLIENT).status_code == 429
    assert client.get(f"{T}/login", environ_base=CLIENT).status_code == 200  # the form itself stays reachable


@pytest.mark.parametrize("key", ["RATELIMIT_LOGIN", "RATELIMIT_LOGIN_FAILURES", "RATELIMIT_LOGIN_ACCOUNT",
                                 "RATELIMIT_PASSWORD_RESET", "RATELIMIT_ACCOUNT_LINKS", "RATELIMIT_SURVEY_LINKS",
                                 "RATELIMIT_API"])
def test_every_default_limit_parses(app, key):
    from limits import parse_many

    enable_rate_limits(app)
    assert parse_many(app.config[key])
