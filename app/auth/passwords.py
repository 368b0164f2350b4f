"""Password hashing with argon2id (argon2-cffi; its defaults follow RFC 9106's recommendations).

The cost is configurable (`ARGON2_TIME_COST`, `ARGON2_MEMORY_COST` in KiB) so that the test suite
can use a cheap setting; verification reads the parameters stored in each hash, so hashes made
with any setting keep verifying.
"""
from __future__ import annotations

from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_LENGTH = 8
MAX_LENGTH = 128


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int | None, memory_cost: int | None) -> PasswordHasher:
    defaults = PasswordHasher()
    return PasswordHasher(time_cost=time_cost or defaults.time_cost, memory_cost=memory_cost or defaults.memory_cost)


def _hasher() -> PasswordHasher:
    config = current_app.config if has_app_context() else {}
    return _hasher_for(config.get("ARGON2_TIME_COST"), config.get("ARGON2_MEMORY_COST"))


def hash_password(password: str) -> str:
    """Return an argon2id hash of `password`."""
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches `password_hash`; never raises for a wrong password."""
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A fixed hash verified when the account does not exist, so timing does not reveal accounts."""
    return hash_password("not-a-real-password-for-timing")
