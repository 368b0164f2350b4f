"""Random bearer tokens stored only as a hash: session ids, e-mailed invitation/reset links,
survey links. The clear token goes to the cookie or the link once; the database holds its SHA-256,
so a copy of the database gives no usable token (ASVS V7.2.3, V11.5.1)."""
from __future__ import annotations

import hashlib
import secrets


def token_hash(token: str) -> str:
    """SHA-256 hex (64 characters) of `token`; lone surrogates from a hostile URL hash too."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh `(token, token_hash(token))`: 256 bits from the OS CSPRNG, URL-safe."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)
