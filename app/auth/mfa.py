"""TOTP two-factor authentication (pyotp, RFC 6238) with single-use recovery codes (issue 7 §2;
ASVS 5.0 V6.5/V6.6).

Required for the roles in config `MFA_REQUIRED_ROLES` (production default: operator, reviewer,
platform_admin), optional for others. A code is accepted once: the matching 30-second step must be
later than `users.totp_last_step`. Recovery codes (10, about 49 bits each) are stored as argon2id
hashes (ASVS 6.5.2: secrets under 112 bits get a salted password hash) and can each be used once.
Services flush, never commit.
"""
from __future__ import annotations

import re
import secrets

import pyotp
import segno
import sqlalchemy as sa
from flask import current_app

from app.auth.models import RecoveryCode, User
from app.auth.passwords import hash_password, verify_password
from app.core.audit import record_audit
from app.core import clock
from app.extensions import db

RECOVERY_CODE_COUNT = 10
RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
ISSUER = "ICTアドバイザー派遣"


class MfaError(ValueError):
    """The two-factor change cannot be made as asked (message is user-facing Japanese)."""


def required_roles() -> frozenset[str]:
    """Role values that must use TOTP (config `MFA_REQUIRED_ROLES`, a list or a comma string)."""
    value = current_app.config.get("MFA_REQUIRED_ROLES") or ()
    if isinstance(value, str):
        value = value.split(",")
    return frozenset(str(v).strip() for v in value if str(v).strip())


def is_required_for(user: User) -> bool:
    """True when `user`'s role must use TOTP."""
    return str(user.role) in required_roles()


def needs_enrolment(user: User) -> bool:
    """True for a user whose role requires TOTP but who has not enrolled: they may only enrol."""
    return is_required_for(user) and not user.totp_secret


def new_secret() -> str:
    """A fresh random base32 TOTP secret (160 bits)."""
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    """The otpauth:// URI an authenticator app reads (account name = the e-mail)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)


def qr_data_uri(uri: str) -> str:
    """The URI as a QR code, an SVG `data:` URI (CSP allows data: images)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


def _matching_step(secret: str, code: str) -> int | None:
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    try:  # one step either side absorbs clock drift
        return pyotp.TOTP(secret).verify_and_get_timecode(code, for_time=clock.now_utc(), valid_window=1)
    except pyotp.exceptions.OTPVerificationError:
        return None


def verify_totp(user: User, code: str) -> bool:
    """Check a 6-digit code of an enrolled user; a code (step) already used is refused (replay)."""
    if not user.totp_secret:
        return False
    step = _matching_step(user.totp_secret, code)
    if step is None or (user.totp_last_step is not None and step <= user.totp_last_step):
        return False
    user.totp_last_step = step
    db.session.flush()
    return True


def _normalise_code(code: str) -> str:
    return re.sub(r"[\s-]", "", code or "").lower()[:32]


def _new_code() -> str:
    chars = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(10))
    return f"{chars[:5]}-{chars[5:]}"


def use_recovery_code(user: User, code: str) -> bool:
    """Consume one unused recovery code of `user`; False if none matches. Audits
    `auth.recovery_code_used`. The conditional UPDATE makes a code single-use even under races."""
    wanted = _normalise_code(code)
    rows = db.session.scalars(sa.select(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                                            RecoveryCode.used_at.is_(None))).all()
    match = next((r for r in rows if wanted and verify_password(r.code_hash, wanted)), None)
    if match is None:
        return False
    result = db.session.execute(sa.update(RecoveryCode).where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
                                .values(used_at=clock.now_utc()).execution_options(synchronize_session="fetch"))
    if result.rowcount != 1:
        return False
    record_audit("auth.recovery_code_used", tenant_id=user.tenant_id, actor=user, target=user,
                 changes={"left": len(rows) - 1})
    return True


def verify_second_factor(user: User, code: str) -> bool:
    """A 6-digit TOTP code or one of the user's recovery codes."""
    code = (code or "").strip()
    if re.fullmatch(r"\d{6}", re.sub(r"\s", "", code)):
        return verify_totp(user, code)
    return use_recovery_code(user, code)


def regenerate_recovery_codes(user: User) -> list[str]:
    """Replace the user's recovery codes by 10 new ones; return them in clear (shown once)."""
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_code() for _ in range(RECOVERY_CODE_COUNT)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=hash_password(_normalise_code(c))) for c in codes)
    db.session.flush()
    return codes


def unused_recovery_codes(user: User) -> int:
    """How many recovery codes the user has left."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(RecoveryCode)
                             .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))) or 0


def enable_totp(user: User, secret: str, code: str) -> list[str]:
    """Enrol `user` with `secret` once `code` proves the authenticator has it; return the new
    recovery codes. Raises `MfaError` for a wrong code. Audits `auth.mfa_enabled`."""
    step = _matching_step(secret, code) if secret else None
    if step is None:
        raise MfaError("確認コードが正しくありません。認証アプリに表示されている6桁の数字を入力してください。")
    user.totp_secret, user.totp_last_step = secret, step
    codes = regenerate_recovery_codes(user)
    record_audit("auth.mfa_enabled", tenant_id=user.tenant_id, actor=user, target=user)
    return codes


def disable_totp(user: User, *, actor: User) -> None:
    """Turn TOTP off for `user`. Raises `MfaError` when the role requires it. Audits `auth.mfa_disabled`."""
    if is_required_for(user):
        raise MfaError("この役割では2段階認証を無効にできません。")
    user.totp_secret, user.totp_last_step = None, None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record_audit("auth.mfa_disabled", tenant_id=user.tenant_id, actor=actor, target=user)
    db.session.flush()
