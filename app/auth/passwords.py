"""Password hashing (argon2id) and the password rules of ASVS 5.0 §6.2.

Hashing: argon2-cffi, whose defaults follow RFC 9106's recommendations. The cost is configurable
(`ARGON2_TIME_COST`, `ARGON2_MEMORY_COST` in KiB) so that the test suite can use a cheap setting;
verification reads the parameters stored in each hash, so hashes made with any setting keep verifying.

Unicode: passwords are NFKC-normalised before hashing, checking and verifying, so that the same
password typed with a full-width or a half-width keyboard (Japanese IME) is the same password.
Nothing else is changed (no trimming, no case folding, no truncation: ASVS 6.2.8). Hashes made
before normalisation was introduced keep verifying: `verify_password` falls back to the password
exactly as typed when it differs from its NFKC form (for ASCII passwords, such as every demo and
test password, both forms are identical).

Rules (`password_problems`): 8 to 128 characters (64+ allowed, ASVS 6.2.1 / 6.2.9), not among the
10,000 most common passwords shipped in `common_passwords.txt` (6.2.4), not the e-mail address, its
local part or the display name, nor containing them (context-specific words, 6.2.11); no
composition rules (6.2.5).
"""
from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context
from flask_babel import gettext as _

MIN_LENGTH = 8
MAX_LENGTH = 128
MIN_CONTEXT_WORD = 3  # shorter context words ("ab" of ab@…) would forbid too much
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int | None, memory_cost: int | None) -> PasswordHasher:
    defaults = PasswordHasher()
    return PasswordHasher(time_cost=time_cost or defaults.time_cost, memory_cost=memory_cost or defaults.memory_cost)


def _hasher() -> PasswordHasher:
    config = current_app.config if has_app_context() else {}
    return _hasher_for(config.get("ARGON2_TIME_COST"), config.get("ARGON2_MEMORY_COST"))


def normalise(password: str) -> str:
    """The NFKC form of `password` (what is hashed and checked)."""
    return unicodedata.normalize("NFKC", password)


def hash_password(password: str) -> str:
    """Return an argon2id hash of the NFKC form of `password`."""
    return _hasher().hash(normalise(password))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def verify_password(password_hash: str, password: str) -> bool:
    """True when `password` matches `password_hash`; never raises for a wrong password.

    Tries the NFKC form first, then (only when it differs) the password as typed, for hashes
    made before normalisation (module docstring)."""
    normalised = normalise(password)
    return _verify(password_hash, normalised) or (normalised != password and _verify(password_hash, password))


@lru_cache(maxsize=1)
def dummy_hash() -> str:
    """A fixed hash verified when the account does not exist, so timing does not reveal accounts."""
    return hash_password("not-a-real-password-for-timing")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The shipped common-password list (lower-case; `#` lines are comments)."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _context_words(context: Iterable[str]) -> set[str]:
    """Lower-cased NFKC words from e-mail addresses (whole address and local part) and names."""
    words: set[str] = set()
    for item in context:
        value = normalise(item or "").strip().lower()
        words.update({value, value.split("@", 1)[0]} if "@" in value else {value, value.replace(" ", "")})
    return {w for w in words if len(w) >= MIN_CONTEXT_WORD}


def password_problems(password: str, *, context: Iterable[str] = ()) -> list[str]:
    """Japanese messages for every rule `password` breaks (empty list: acceptable).

    `context`: the user's e-mail address and display name (context-specific words); a password
    equal to one of them, to the e-mail's local part, or containing one of them is refused.
    Length counts characters of the NFKC form. No composition rules (ASVS 6.2.5).
    """
    value = normalise(password or "")
    problems = []
    if len(value) < MIN_LENGTH:
        problems.append(_("パスワードは%(n)d文字以上にしてください。", n=MIN_LENGTH))
    if len(value) > MAX_LENGTH:
        problems.append(_("パスワードは%(n)d文字以内にしてください。", n=MAX_LENGTH))
    lowered = value.lower()
    if lowered in common_passwords():
        problems.append(_("このパスワードはよく使われていて推測されやすいため使えません。別のパスワードにしてください。"))
    if any(word in lowered for word in _context_words(context)):
        problems.append(_("メールアドレスや氏名を含むパスワードは使えません。"))
    return problems
