"""Hostile query strings on every page: numbers beyond any column's range, negative and non-numeric
values, NUL and 10,000 characters never give a 500 (a 20-digit `fiscal_year` once overflowed the
SQL query of /cases, /engagements and /surveys; app.core.web.bounded_int)."""
from __future__ import annotations

import pytest

from tests.conftest import login
from tests.core.test_web import DEMO_LOGINS, _tenant_get_routes

NAMES = ("fiscal_year", "page", "pending_page", "provider", "version", "dx_step", "state", "call_id", "q", "kind")
VALUES = ("99999999999999999999", "-1", "0", "１２", "abc", "\x00", "x" * 10_000, "2024-02-30")


@pytest.mark.parametrize("email", [None, DEMO_LOGINS[0], DEMO_LOGINS[2]])
def test_hostile_query_values_never_give_a_500(demo_app, email):
    demo_app.config["EXPORT_WORKERS"] = 0  # large exports stay queued instead of starting threads
    client = demo_app.test_client()
    if email:
        login(client, email, "demo-pass-2024")
    failures = {}
    for path in _tenant_get_routes(demo_app):
        for value in VALUES:
            response = client.get(path, query_string={name: value for name in NAMES})
            if response.status_code >= 500:
                failures[f"{path}?…={value[:20]!r}"] = response.status_code
    assert failures == {}
