"""Declarative base, naming convention, column types and mixins shared by every model.

The naming convention is set before the first migration so that constraint names are stable on
SQLite and PostgreSQL alike (Alembic batch mode on SQLite needs named constraints).
"""
from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite stores naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class Base(DeclarativeBase):
    """Base of every model: the metadata carries the constraint naming convention."""

    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


def utcnow() -> dt.datetime:
    """The current time, timezone-aware UTC (what every `*_at` column stores)."""
    return dt.datetime.now(dt.timezone.utc)


class TimestampMixin:
    """`created_at` / `updated_at` in UTC."""

    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class TenantScoped:
    """Marker mixin: rows owned by one tenant. The ORM safety net filters these by the active tenant.

    Every subclass gets `tenant_id NOT NULL` with a foreign key to `tenants`.
    """

    @declared_attr
    def tenant_id(cls) -> Mapped[int]:  # noqa: N805 (declared_attr signature)
        return mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True)


class VersionedMixin:
    """Optimistic locking: a concurrent edit of the same row raises `StaleDataError`."""

    version_id: Mapped[int] = mapped_column(default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:  # noqa: N805
        return {"version_id_col": cls.__table__.c.version_id}


def enum_column(enum_cls: type[enum.Enum], name: str, **kwargs) -> Mapped:
    """A non-native enum column with a named CHECK constraint listing the allowed values."""
    return mapped_column(
        sa.Enum(
            enum_cls,
            native_enum=False,
            create_constraint=True,
            name=name,
            length=32,
            values_callable=lambda members: [m.value for m in members],
            validate_strings=True,
        ),
        **kwargs,
    )


def init_engine_events(app) -> None:
    """Turn on WAL and foreign keys for SQLite connections (no effect on PostgreSQL)."""
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        return

    @event.listens_for(Engine, "connect")
    def _sqlite_pragmas(dbapi_connection, connection_record):  # pragma: no cover - trivial
        if type(dbapi_connection).__module__.startswith("sqlite3"):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()
