"""One stored version of a tenant's questionnaire."""
from __future__ import annotations

import datetime as dt
from enum import StrEnum

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, enum_column, utcnow


class QuestionnaireKind(StrEnum):
    """Which questionnaire a version belongs to."""

    SURVEY = "survey"
    NEEDS = "needs"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self])


KIND_LABELS = {QuestionnaireKind.SURVEY: _l("事後アンケート"), QuestionnaireKind.NEEDS: _l("DX課題把握アンケート")}


class Questionnaire(TenantScoped, Base):
    """Version `version` (1, 2, …) of the tenant's questionnaire of `kind`; the highest is current.

    `definition` is the validated canonical definition (the shape of survey.toml / needs_survey.toml,
    see `app.surveys.template` and `app.needs.template`). Rows are never changed: a save adds one.
    """

    __tablename__ = "questionnaires"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "kind", "version"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[QuestionnaireKind] = enum_column(QuestionnaireKind, "questionnaire_kind")
    version: Mapped[int]
    definition: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
