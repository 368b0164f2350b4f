"""app/core/ratelimit.py: the per-address key, the storage check, and counters shared by two app
instances (two workers) through Redis."""
from __future__ import annotations

import uuid

import pytest
from flask import Flask

from app import create_app
from app.config import production_problems
from app.core.ratelimit import client_address
from app.extensions import db
from tests.conftest import _config

REDIS_URI = "redis://127.0.0.1:6379/15"


@pytest.mark.parametrize(("remote", "key"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:bbbb::9", "2001:db8:1:2::/64"),  # same /64: same key, rotating is pointless
    ("::ffff:192.0.2.1", "192.0.2.1"),
    (None, "unknown"),
])
def test_client_address_is_ipv4_or_the_ipv6_slash_64(remote, key):
    app = Flask(__name__)
    with app.test_request_context(environ_base={"REMOTE_ADDR": remote}):
        assert client_address() == key


def _storage_refused(uri) -> bool:
    return any(p.startswith("RATELIMIT_STORAGE_URI") for p in production_problems({"RATELIMIT_STORAGE_URI": uri}))


@pytest.mark.parametrize("uri", ["memory://", "", None])
def test_per_process_storage_is_refused_outside_development(uri):
    assert _storage_refused(uri)


def test_shared_storage_is_accepted_in_production():
    assert not _storage_refused("redis://redis.internal:6379/1")


def _redis_reachable() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS_URI, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


def _two_workers(app, tmp_path, uri: str) -> list[Flask]:
    settings = {**_config(app.config["SQLALCHEMY_DATABASE_URI"], tmp_path), "RATELIMIT_STORAGE_URI": uri,
                "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}", "RATELIMIT_ACCOUNT_LINKS": "3 per minute"}
    return [create_app(settings) for _ in range(2)]


def _refused_on_the_fourth(workers: list[Flask]) -> bool:
    clients = [worker.test_client() for worker in workers]
    statuses = [clients[i % 2].post("/t/fukushima/invitations/unknown", environ_base={"REMOTE_ADDR": "203.0.113.4"})
                .status_code for i in range(4)]
    for worker in workers:
        with worker.app_context():
            db.engine.dispose()
    assert statuses[:3] == [410, 410, 410]
    return statuses[3] == 429


@pytest.mark.skipif(not _redis_reachable(), reason="Redis is not reachable at 127.0.0.1:6379 (CI runs it)")
def test_two_workers_share_one_count_through_redis(app, tmp_path):
    assert _refused_on_the_fourth(_two_workers(app, tmp_path, REDIS_URI))
    # The same two workers on memory:// count apart: that is why production refuses it.
    assert not _refused_on_the_fourth(_two_workers(app, tmp_path, "memory://"))
