"""Fixtures of the auth tests: a movable clock and users of each role."""
from __future__ import annotations

import datetime as dt

import pytest

from app.auth.models import Role
from app.extensions import db
from tests import factories
from tests.conftest import in_tenant

T = "/t/fukushima"


class Clock:
    """A frozen `app.core.clock.now_utc` that tests move forward by hand."""

    def __init__(self):
        self.now = dt.datetime.now(dt.timezone.utc)

    def advance(self, **delta) -> None:
        self.now += dt.timedelta(**delta)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    from app.core import clock as clock_module

    frozen = Clock()
    monkeypatch.setattr(clock_module, "now_utc", frozen)
    return frozen


@pytest.fixture
def users(app):
    """operator op@, municipal muni@ (福島市), reviewer rev@ — password factories.PASSWORD."""
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        factories.user(tenant, Role.REVIEWER, "rev@example.jp")
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", organisation=factories.municipality("072010"))
        db.session.commit()
    return app


def session_cookie(client) -> str:
    """The value of the client's Flask session cookie."""
    return client.get_cookie("session").value


def replay(app, cookie: str):
    """A fresh client (another browser) holding a copied session cookie."""
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other
