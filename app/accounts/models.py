"""Single-use tokens of invitation and password-reset links."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import Base, enum_column, utcnow
from app.core.states import LabeledEnum


class TokenPurpose(LabeledEnum):
    INVITE = "invite", _l("招待")
    RESET = "reset", _l("パスワード再設定")


class AccountToken(Base):
    """One e-mailed link. Only the sha256 (hex) of the random token is stored; the token itself
    exists only in the e-mail. Valid until `expires_at`, once (`used_at`). Issuing a new token of
    the same purpose for the same user expires the older ones (`expires_at` = now).

    Not `TenantScoped` (platform admins have no tenant, like `User`): `app.accounts.tokens`
    filters by tenant by hand.
    """

    __tablename__ = "account_tokens"
    __table_args__ = (sa.Index("ix_account_tokens_user_purpose", "user_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[TokenPurpose] = enum_column(TokenPurpose, "token_purpose")
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship(lazy="joined")
