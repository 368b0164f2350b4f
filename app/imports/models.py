"""`ImportRun`: one uploaded workbook, its dry-run summary, errors and outcome."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, TimestampMixin, VersionedMixin, enum_column
from app.imports.states import ImportKind, ImportState


class ImportRun(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """An upload of one import kind. The bytes are kept server-side under `instance/imports/`
    (`stored_name` is random, never the user's file name) between preview and confirmation.

    `summary`: `{"new": n, "updated": n, "unchanged": n, "samples": {bucket: [text, …]}, "notes": [text]}`;
    `errors`: Japanese messages naming sheet, row and column.
    """

    __tablename__ = "import_runs"
    __table_args__ = (sa.CheckConstraint("size_bytes >= 0", name="size_not_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ImportKind] = enum_column(ImportKind, "import_kind")
    state: Mapped[ImportState] = enum_column(ImportState, "import_state", default=ImportState.PREVIEWED)
    filename: Mapped[str] = mapped_column(sa.String(200), default="")  # shown only, never used on disk
    stored_name: Mapped[str] = mapped_column(sa.String(80), default="")  # "" when the bytes were not kept
    sha256: Mapped[str] = mapped_column(sa.String(64), default="")
    size_bytes: Mapped[int] = mapped_column(default=0)
    summary: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    errors: Mapped[list] = mapped_column(sa.JSON, default=list)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    applied_at: Mapped[dt.datetime | None]
