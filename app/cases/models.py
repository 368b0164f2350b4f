"""Case (事例): the fields of a 003 case page (digest §4.2) plus this program's own."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.cases.states import CaseState
from app.core.db import Base, TenantScoped, TimestampMixin, VersionedMixin, enum_column
from app.engagements.models import Engagement


class Case(TenantScoped, TimestampMixin, VersionedMixin, Base):
    """A case drafted from an engagement. Never holds residents' personal data."""

    __tablename__ = "cases"
    __table_args__ = (
        sa.CheckConstraint("dx_step IS NULL OR dx_step BETWEEN 0 AND 3", name="dx_step_range"),
        sa.CheckConstraint("population IS NULL OR population >= 0", name="population_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    engagement_id: Mapped[int] = mapped_column(sa.ForeignKey("engagements.id", ondelete="CASCADE"), unique=True)
    fiscal_year: Mapped[int]
    state: Mapped[CaseState] = enum_column(CaseState, "case_state", default=CaseState.DRAFT)
    title: Mapped[str] = mapped_column(sa.String(300))  # 事例：…【福島県○○町】
    key_points: Mapped[list] = mapped_column(sa.JSON, default=list)  # 1–3 lines
    overview: Mapped[list] = mapped_column(sa.JSON, default=list)  # 概要 bullets
    outcomes: Mapped[str] = mapped_column(sa.Text, default="")
    dx_step: Mapped[int | None]  # ステップ0–3 of the national procedure manual
    categories: Mapped[list] = mapped_column(sa.JSON, default=list)
    population: Mapped[int | None]  # persons; shown as 万人
    population_basis: Mapped[str] = mapped_column(sa.String(100), default="")  # e.g. 住民基本台帳（令和6年1月1日）
    related_url: Mapped[str] = mapped_column(sa.String(500), default="")
    similar_organisations: Mapped[str] = mapped_column(sa.Text, default="")
    municipal_comment: Mapped[str] = mapped_column(sa.Text, default="")  # the municipality's last return comment
    provider_comment: Mapped[str] = mapped_column(sa.Text, default="")  # the provider's last return comment
    # Each party's approval, and the fields it holds back from publication (keys of HOLDABLE_FIELDS).
    municipal_approved_at: Mapped[dt.datetime | None]
    municipal_approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    municipal_held_back: Mapped[list] = mapped_column(sa.JSON, default=list)
    provider_approved_at: Mapped[dt.datetime | None]
    provider_approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    provider_held_back: Mapped[list] = mapped_column(sa.JSON, default=list)
    approved_at: Mapped[dt.datetime | None]  # when the second party approved
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    is_sample: Mapped[bool] = mapped_column(default=False)
    # Public text folded for search (app.cases.search.normalise); never holds held-back fields.
    search_text: Mapped[str] = mapped_column(sa.Text, default="")

    engagement: Mapped[Engagement] = relationship(lazy="joined")

    @property
    def held_back(self) -> set[str]:
        """Fields either party holds back from publication."""
        return set(self.municipal_held_back or []) | set(self.provider_held_back or [])
