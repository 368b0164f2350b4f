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
from app.tenancy.models import Organisation


class Role(LabeledEnum):
    OPERATOR = "operator", _l("事業担当（県）")
    REVIEWER = "reviewer", _l("審査員")
    MUNICIPAL = "municipal", _l("市町村担当者")
    PROVIDER = "provider", _l("会員企業担当者")
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

    organisation: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login: deactivated users cannot log in
        return self.is_active_account

    def has_role(self, *roles: Role) -> bool:
        return self.role in roles
