"""Fixtures of the export tests: the isolation world (two municipalities A/B, two providers P/Q,
calls of FY2024–FY2030 with B's and Q's objects) and a logged-in client per subject."""
from __future__ import annotations

import pytest

from tests.conftest import login
from tests.isolation_fixtures import build_world


@pytest.fixture
def world(app):
    return build_world(app)


@pytest.fixture
def as_user(app, world):
    """`as_user("operator")` → a test client logged in as that subject of the world."""

    def make(subject: str):
        client = app.test_client()
        login(client, world.email(subject))
        return client

    return make
