"""Users and roles (product.md §3). A user belongs to one organisation in one tenant;
platform admins belong to no tenant."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TimestampMixin, enum_column
from app.core.states import LabeledEnum
from app.tenancy.labels import applicant_staff_label, lazy_label
from app.tenancy.models import Organisation


class Role(LabeledEnum):
    OPERATOR = "operator", _l("事業担当（県）")
    REVIEWER = "reviewer", _l("審査員")
    # Named after the tenant's own applicant bodies and providers (市町村・教育委員会・商工会担当者,
    # ICTエキスパート担当者), resolved when rendered; one user's own is `User.role_label`.
    MUNICIPAL = "municipal", lazy_label("%(applicant)s担当者")
    PROVIDER = "provider", lazy_label("%(provider)s担当者")
    PLATFORM_ADMIN = "platform_admin", _l("システム管理者")


class User(UserMixin, TimestampMixin, Base):
    """A person's account. Not `TenantScoped` (platform admins have no tenant): every query of
    users goes through `app.auth.queries`, which filters by tenant by hand."""

    __tablename__ = "users"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "email"),
        sa.CheckConstraint(
            "(role = 'platform_admin' AND tenant_id IS NULL) OR (role != 'platform_admin' AND tenant_id IS NOT NULL)",
            name="tenant_matches_role",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id", ondelete="RESTRICT"))
    email: Mapped[str] = mapped_column(sa.String(254))
    display_name: Mapped[str] = mapped_column(sa.String(100))
    role: Mapped[Role] = enum_column(Role, "user_role")
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    is_active_account: Mapped[bool] = mapped_column(default=True)
    last_login_at: Mapped[dt.datetime | None]
    # TOTP (app/auth/mfa.py): base32 secret once enrolled; the last accepted 30-s step (replay guard).
    totp_secret: Mapped[str | None] = mapped_column(sa.String(64))
    totp_last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot log in
        return self.is_active_account

    @property
    def role_label(self) -> str:
        """The role's name for this user: an applicant's staff after its body's kind (商工会担当者,
        教育委員会担当者, 市町村担当者), any other role its `Role.label`."""
        if self.role == Role.MUNICIPAL and self.organisation is not None:
            return applicant_staff_label(self.organisation)
        return self.role.label

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles


class UserSession(Base):
    """One login's server-side session (issue 7 §1). The cookie holds a random id; this row holds
    only its sha256 (`token_hash`), so a database dump does not give usable cookies. A request is
    accepted only while the row is live: not revoked, not idle too long, not too old."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime]
    last_seen_at: Mapped[dt.datetime]
    authenticated_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    revoke_reason: Mapped[str] = mapped_column(sa.String(40), default="")
    # Failed re-authentications on this session: too many end it (a stolen cookie cannot guess the
    # password for long, and cannot lock the owner's account either).
    reauth_failures: Mapped[int] = mapped_column(default=0)
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    user_agent: Mapped[str] = mapped_column(sa.String(200), default="")


class PendingLogin(Base):
    """A login whose password step succeeded and whose TOTP step is still due (issue 14 §1).

    The "password already checked" state lives here, on the server: the cookie carries only a
    random id (`flask.session["mfa_pending"]`), this row its sha256. A forged or replayed cookie
    finds no row, so the code step alone never logs anyone in. The row is deleted when the second
    step succeeds or locks, and is worthless after `PENDING_SECONDS` (app/auth/sessions.py)."""

    __tablename__ = "pending_logins"

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime]
    next_url: Mapped[str] = mapped_column(sa.String(500), default="")


class LoginThrottle(Base):
    """Failed-login counter per (tenant, normalised e-mail, client address), also for e-mails with no
    account, so that password guessing is slowed in the database (works on SQLite) without letting
    one address lock the account for everyone else (app/auth/throttle.py)."""

    __tablename__ = "login_throttles"
    __table_args__ = (sa.UniqueConstraint("tenant_key", "email", "client_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    # tenant_id or 0 for platform admins: NULLs are never equal in a UNIQUE constraint.
    tenant_key: Mapped[int] = mapped_column(default=0)
    email: Mapped[str] = mapped_column(sa.String(254))
    # app.core.ratelimit.client_address(): an IPv4 address or an IPv6 /64.
    client_address: Mapped[str] = mapped_column(sa.String(64))
    failures: Mapped[int] = mapped_column(default=0)
    first_failure_at: Mapped[dt.datetime | None]
    locked_until: Mapped[dt.datetime | None]
    lock_count: Mapped[int] = mapped_column(default=0)


class RecoveryCode(Base):
    """A single-use TOTP recovery code, stored as an argon2id hash (app/auth/mfa.py)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(255))
    used_at: Mapped[dt.datetime | None]
