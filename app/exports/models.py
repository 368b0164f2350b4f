"""Export job (Excel出力の作成待ち): a long list export built off the request path."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, TimestampMixin, enum_column
from app.exports.states import ExportJobState


class ExportJob(TenantScoped, TimestampMixin, Base):
    """One requested export of the list `export_name` with the list page's query string `params`
    (`{name: value}`, strings), run by a worker (app.exports.runner). `rows_done` of `rows_total`
    is the progress; `file_name` is a random name under the export directory (never a user-given
    name); the file may be downloaded by the requester or an operator until `expires_at`."""

    __tablename__ = "export_jobs"
    __table_args__ = (sa.CheckConstraint("rows_done >= 0 AND rows_total >= 0", name="rows_non_negative"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    export_name: Mapped[str] = mapped_column(sa.String(40))
    params: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    state: Mapped[ExportJobState] = enum_column(ExportJobState, "export_job_state", default=ExportJobState.QUEUED)
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_total: Mapped[int] = mapped_column(default=0)
    file_name: Mapped[str] = mapped_column(sa.String(64), default="")
    error: Mapped[str] = mapped_column(sa.Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"), index=True)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    expires_at: Mapped[dt.datetime]

    @property
    def percent(self) -> int:
        """Progress 0..100 (100 once done, whatever the counts say)."""
        if self.state == ExportJobState.DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0
