"""Helpers of the concurrency tests: reading the conflict page's re-submit form, racing threads."""
from __future__ import annotations

import html
import re
import threading

import pytest

from app.extensions import db
from app.tenancy.scoping import tenant_scope
from tests.conftest import PG_URL

pg_only = pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="row locks and concurrent writers are a PostgreSQL matter")

_FORM = re.compile(r'<form method="post" action="(?P<action>[^"]+)" class="form">(?P<body>.*?)</form>', re.S)
_HIDDEN = re.compile(r'<input type="hidden" name="(?P<name>[^"]+)" value="(?P<value>[^"]*)">')


def resubmit_form(page: str) -> tuple[str, list[tuple[str, str]]]:
    """The action and the (name, value) pairs of the conflict page's 「この内容で上書き保存」 form."""
    match = _FORM.search(page)
    assert match and "この内容で上書き保存" in match["body"], page[:2000]
    fields = [(html.unescape(m["name"]), html.unescape(m["value"])) for m in _HIDDEN.finditer(match["body"])]
    return html.unescape(match["action"]), fields


def as_multidict(fields: list[tuple[str, str]]) -> dict[str, list[str]]:
    """`fields` as the test client's form data (repeated names become lists)."""
    data: dict[str, list[str]] = {}
    for name, value in fields:
        data.setdefault(name, []).append(value)
    return data


def race(app, tenant_id: int, works: list) -> list[str]:
    """Run each `work()` in its own thread (own app context, session and tenant scope), released
    together by a barrier after their `prepare` step; each commits on success and rolls back on
    error. Returns the outcomes: "ok" or the exception's class name, in thread order."""
    barrier = threading.Barrier(len(works))
    outcomes: list[str] = ["not run"] * len(works)

    def run(index: int, work) -> None:
        with app.app_context(), tenant_scope(tenant_id):
            try:
                step = work()  # loads what it needs, returns the write to race
                barrier.wait(timeout=30)
                step()
                db.session.commit()
                outcomes[index] = "ok"
            except Exception as exc:  # the losers' errors are what the tests assert
                db.session.rollback()
                outcomes[index] = type(exc).__name__
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(works)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return outcomes
