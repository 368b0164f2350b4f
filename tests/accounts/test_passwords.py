"""Password rules of ASVS 5.0 §6.2 (app.auth.passwords) and their use in create_user."""
from __future__ import annotations

import pytest

from app.auth.models import Role
from app.auth.passwords import (
    MAX_LENGTH, _hasher, common_passwords, hash_password, password_problems, verify_password,
)
from app.auth.services import AccountError
from tests import factories
from tests.conftest import in_tenant

CONTEXT = ("hanako.fukushima@example.jp", "福島 花子")


@pytest.mark.parametrize(("password", "message"), [
    ("short12", "8文字以上"),
    ("baseball", "よく使われていて"),
    ("Password1", "よく使われていて"),  # case does not hide a common password
    ("x" * (MAX_LENGTH + 1), "128文字以内"),
    ("hanako.fukushima", "メールアドレスや氏名"),
    ("my-hanako.fukushima-2024", "メールアドレスや氏名"),
    ("私は福島 花子です", "メールアドレスや氏名"),
    ("hanako.fukushima@example.jp", "メールアドレスや氏名"),
])
def test_weak_passwords_are_refused_with_a_japanese_message(password, message):
    problems = password_problems(password, context=CONTEXT)
    assert any(message in p for p in problems), problems


@pytest.mark.parametrize("password", [
    "a" * 20 + "b" * 20 + "c" * 24,  # 64 characters
    "correct horse battery staple " * 4,  # long passphrase with spaces (116 characters)
    "ふくしまの桃はとても甘い",  # Japanese, no digits or symbols needed
    "alllowercaseletters",  # no composition rules
    "demo-pass-2024", "test-pass-123",  # the demo and test passwords stay valid
])
def test_long_japanese_and_plain_passwords_are_accepted(password):
    assert password_problems(password, context=CONTEXT) == []


def test_the_shipped_list_is_large_and_lower_case():
    words = common_passwords()
    assert len(words) >= 10000 and "123456" in words and "password" in words
    assert all(w == w.lower() for w in words)


def test_full_width_input_is_the_same_password(app):
    with app.app_context():
        stored = hash_password("demo-pass-2024")
        assert verify_password(stored, "ｄｅｍｏ－ｐａｓｓ－２０２４")  # typed with a full-width IME
        assert not verify_password(stored, "demo-pass-2025")


def test_hashes_made_before_normalisation_keep_verifying(app):
    with app.app_context():
        legacy = _hasher().hash("ｐａｓｓ－ワード")  # hashed as typed, before NFKC was introduced
        assert verify_password(legacy, "ｐａｓｓ－ワード")


def test_password_is_checked_as_typed_otherwise(app):
    """No trimming or case folding (ASVS 6.2.8)."""
    with app.app_context():
        stored = hash_password("Kitakata Ramen 2024")
        assert not verify_password(stored, "kitakata ramen 2024")
        assert not verify_password(stored, "Kitakata Ramen 2024 ")


def test_create_user_refuses_a_common_password(app):
    with in_tenant(app) as tenant, pytest.raises(AccountError, match="よく使われていて"):
        factories.create_user(tenant_id=tenant.id, email="a@example.jp", display_name="A", role=Role.OPERATOR,
                              password="iloveyou", organisation=factories.office())


def test_passwords_are_stored_as_argon2id_hashes_never_in_clear():
    """ASVS V11.4.2: an approved, slow password hash with its own salt (argon2-cffi's argon2id)."""
    first, second = hash_password("ふくしまDX-2024"), hash_password("ふくしまDX-2024")
    assert first.startswith("$argon2id$") and "ふくしまDX-2024" not in first
    assert first != second  # a random salt per hash
    assert verify_password(first, "ふくしまDX-2024") and not verify_password(first, "ふくしまDX-2025")
