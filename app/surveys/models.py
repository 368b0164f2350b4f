"""Survey responses. Questions come from the tenant's survey template (tenants/<slug>/survey.toml)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, TimestampMixin, VersionedMixin


class SurveyResponse(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """The municipality's answers `{question_key: value}` for one engagement.

    `is_problem_solved` is derived from the 課題解決につながったか question (001:195) so that the
    share "課題解決につながった" can be aggregated without parsing answers.
    """

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"), unique=True)
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    is_problem_solved: Mapped[bool | None]
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
