"""Needs-survey rounds (one per fiscal year) and each municipality's answer."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TenantScoped, TimestampMixin, VersionedMixin
from app.tenancy.models import Organisation


class NeedsSurveyRound(TenantScoped, TimestampMixin, Base):
    """The needs survey of one fiscal year (the year whose menu it informs), open from `opens_on`
    to `closes_on` inclusive (JST dates; open/closed is computed, not stored).
    `reminders` is the history `[{"at": ISO datetime, "actor_id", "municipality_ids": [int]}]`."""

    __tablename__ = "needs_survey_rounds"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "fiscal_year"),
        sa.CheckConstraint("closes_on >= opens_on", name="window_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fiscal_year: Mapped[int]
    opens_on: Mapped[dt.date]
    closes_on: Mapped[dt.date]
    reminders: Mapped[list] = mapped_column(sa.JSON, default=list)

    def is_open(self, today: dt.date) -> bool:
        """True while `today` (JST) is within the window: municipalities may answer and edit."""
        return self.opens_on <= today <= self.closes_on


class NeedsSurveyResponse(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """One municipality's answer to a round: issue `categories` (codes of the tenant's taxonomy,
    digest §3), `maturity` (a level of the needs survey's version `questionnaire_version`, e.g.
    ステップ0–3) and optional free-text `comments` `{category_code: text}`."""

    __tablename__ = "needs_survey_responses"
    __table_args__ = (
        sa.UniqueConstraint("round_id", "municipality_id"),
        sa.CheckConstraint("maturity >= 0", name="maturity_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(sa.ForeignKey("needs_survey_rounds.id", ondelete="CASCADE"))
    municipality_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    categories: Mapped[list] = mapped_column(sa.JSON, default=list)
    maturity: Mapped[int]
    # The needs-survey version answered against (app.questionnaires); its levels label `maturity`.
    questionnaire_version: Mapped[int] = mapped_column(default=1, server_default="1")
    comments: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    submitted_at: Mapped[dt.datetime]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    is_sample: Mapped[bool] = mapped_column(default=False)

    round: Mapped[NeedsSurveyRound] = relationship(lazy="joined")
    municipality: Mapped[Organisation] = relationship(lazy="joined")
