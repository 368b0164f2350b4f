"""Survey requests and responses. Questions come from the tenant's survey (a stored, versioned
questionnaire, `app.surveys.template`); a response keeps the version it was answered against."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, TenantScoped, TimestampMixin, VersionedMixin, enum_column
from app.engagements.models import Engagement
from app.surveys.states import RequestStatus, SurveyKind


class SurveyRequest(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """The request to the municipality to answer one survey (`kind`) about one engagement.

    Created when the engagement completes (`request_survey`), or lazily for completed engagements
    without one. The private link is stored as the SHA-256 hex of a random token only; answering
    (through the link or the municipality's account) sets `answered_at`, which consumes the link.
    `reminders` is the history `[{"at": ISO datetime, "actor_id": int | None}]`.
    """

    __tablename__ = "survey_requests"
    __table_args__ = (
        sa.UniqueConstraint("engagement_id", "kind"),
        sa.CheckConstraint("reminder_count >= 0", name="reminder_count_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"))
    kind: Mapped[SurveyKind] = enum_column(SurveyKind, "survey_kind", default=SurveyKind.INITIAL)
    sent_at: Mapped[dt.datetime]
    due_on: Mapped[dt.date]
    answered_at: Mapped[dt.datetime | None]
    link_token_hash: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    link_expires_at: Mapped[dt.datetime | None]
    reminder_count: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[dt.datetime | None]
    reminders: Mapped[list] = mapped_column(sa.JSON, default=list)

    engagement: Mapped[Engagement] = relationship(lazy="joined")

    def status(self, today: dt.date) -> RequestStatus:
        """回答済 when answered; 期限超過 when `today` (JST) is after `due_on`; else 未回答."""
        if self.answered_at is not None:
            return RequestStatus.ANSWERED
        return RequestStatus.OVERDUE if today > self.due_on else RequestStatus.UNANSWERED


class SurveyResponse(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """The municipality's answers `{question_key: value}` for one engagement and survey kind, to
    the questions of survey version `questionnaire_version`.

    `is_problem_solved` is derived from the 課題解決につながったか question (001:195) so that the
    share "課題解決につながった" can be aggregated without parsing answers.
    """

    __tablename__ = "survey_responses"
    __table_args__ = (sa.UniqueConstraint("engagement_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"))
    kind: Mapped[SurveyKind] = enum_column(SurveyKind, "survey_kind", default=SurveyKind.INITIAL)
    answers: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    is_problem_solved: Mapped[bool | None]
    # The survey version whose questions were answered (app.questionnaires; pages show these).
    questionnaire_version: Mapped[int] = mapped_column(default=1, server_default="1")
    submitted_at: Mapped[dt.datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
