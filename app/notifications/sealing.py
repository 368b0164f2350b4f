"""Password-setting links in the outbox, sealed (issue 14 §2: no usable secret at rest).

An invitation or reset mail (`texts.PASSWORD_LINK_KINDS`) holds a single-use link that sets the
account's password; `account_tokens` keeps only its sha256, and the outbox must not undo that. So
the outbox row stores:

- `body`: the mail text with `LINK_PLACEHOLDER` where the link goes (safe to show, to back up, to
  read from the database), and `link` empty;
- `sealed_link`: the link encrypted with Fernet (AES-128-CBC + HMAC-SHA256, `cryptography`) under a
  key derived from SECRET_KEY by HKDF-SHA256. The key lives in the process environment, never in
  the database, so a dump or a `flask backup` file alone gives no link.

Why encrypt instead of rebuilding the mail at send time from the token row: the token row holds
only a hash (the clear token exists once, when issued), so the mail could not be rebuilt from it;
sealing keeps the queue-then-send outbox (retries, 送信メール) unchanged.

`mail_body(row)` opens the seal when the mail is built (app/notifications/delivery.py) and, in
development with the "store" backend only, for the 送信メール page. SECRET_KEY rotation: keys in
Flask's `SECRET_KEY_FALLBACKS` still open older seals; a link that cannot be opened any more
(key gone) makes the mail fail with a clear error instead of sending a dead link.
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

LINK_PLACEHOLDER = "［パスワード設定用のリンク：メールにのみ記載］"
_INFO = b"ictad outbox password link v1"  # domain separation: this key signs nothing else


class SealError(RuntimeError):
    """A sealed link could not be opened (SECRET_KEY changed without a fallback, or tampered)."""


def _key(secret: str) -> bytes:
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_INFO).derive(secret.encode("utf-8"))
    return base64.urlsafe_b64encode(raw)


def _fernet() -> MultiFernet:
    config = current_app.config
    secrets = [config["SECRET_KEY"], *(config.get("SECRET_KEY_FALLBACKS") or [])]
    return MultiFernet([Fernet(_key(s)) for s in secrets if s])


def seal(link: str) -> str:
    """The Fernet token (ASCII, ~1.4× the link plus ~100 characters) of `link` under the current key."""
    return _fernet().encrypt(link.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    """The link sealed in `token`. Raises SealError when no configured key opens it."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise SealError("the sealed link cannot be opened with SECRET_KEY or SECRET_KEY_FALLBACKS") from exc


def mail_body(row) -> str:
    """The body to send for outbox `row`: the stored body with the sealed link put back in place
    of `LINK_PLACEHOLDER` (rows without a sealed link: the body as stored). Raises SealError."""
    if not row.sealed_link:
        return row.body
    return row.body.replace(LINK_PLACEHOLDER, unseal(row.sealed_link))


def shows_live_links() -> bool:
    """True only in development with the "store" backend: nothing is mailed there, so 送信メール
    is the only way to follow an invitation; in production the page never shows a live link."""
    config = current_app.config
    return config.get("APP_ENV") == "development" and config.get("MAIL_BACKEND") == "store"
