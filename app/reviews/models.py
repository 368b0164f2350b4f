"""Reviews (審査): per-call rubrics, scores with justifications, reviewer assignments and
conflict-of-interest declarations. Every row addresses one item: a menu proposal
(`target = proposal`) or an application (`target = application`)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, TimestampMixin, enum_column, utcnow
from app.reviews.states import ONE_TARGET_SQL, ReviewTarget


def _proposal_fk() -> Mapped[int | None]:
    return mapped_column(sa.ForeignKey("menu_proposals.id", ondelete="CASCADE"), index=True)


def _application_fk() -> Mapped[int | None]:
    return mapped_column(sa.ForeignKey("applications.id", ondelete="CASCADE"), index=True)


def _call_fk() -> Mapped[int]:
    return mapped_column(sa.ForeignKey("calls.id", ondelete="CASCADE"), index=True)


class TargetMixin:
    """`item_id`: the proposal or application id, whichever the row addresses."""

    @property
    def item_id(self) -> int:
        return self.proposal_id if self.target == ReviewTarget.PROPOSAL else self.application_id


class ReviewCriterion(TenantScoped, TimestampMixin, Base):
    """One criterion of a call's rubric for one target kind: points 1..`max_points`, `weight` > 0.

    Copied from tenant.toml `rules.review_rubric` / `rules.application_rubric` when first needed;
    editable until the first score of that call and kind is recorded."""

    __tablename__ = "review_criteria"
    __table_args__ = (
        sa.UniqueConstraint("call_id", "target", "key"),
        sa.CheckConstraint("max_points BETWEEN 1 AND 100", name="max_points_range"),
        sa.CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = _call_fk()
    target: Mapped[ReviewTarget] = enum_column(ReviewTarget, "review_criterion_target")
    position: Mapped[int] = mapped_column(default=0)
    key: Mapped[str] = mapped_column(sa.String(40))
    label: Mapped[str] = mapped_column(sa.String(200))
    max_points: Mapped[int] = mapped_column(default=5)
    weight: Mapped[float] = mapped_column(sa.Float, default=1.0)
    is_required: Mapped[bool] = mapped_column(default=True)


class Review(TargetMixin, TenantScoped, TimestampMixin, Base):
    """One reviewer's scores of one item: `scores {key: points}`, `justifications {key: 評価理由}`,
    `total` = sum of points, `weighted_score` = weighted mean of points/max, 0..100."""

    __tablename__ = "reviews"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "reviewer_id"),
        sa.UniqueConstraint("application_id", "reviewer_id"),
        sa.CheckConstraint("total >= 0", name="total_not_negative"),
        sa.CheckConstraint("weighted_score BETWEEN 0 AND 100", name="weighted_score_range"),
        sa.CheckConstraint(ONE_TARGET_SQL, name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = _call_fk()
    target: Mapped[ReviewTarget] = enum_column(ReviewTarget, "review_target", default=ReviewTarget.PROPOSAL)
    proposal_id: Mapped[int | None] = _proposal_fk()
    application_id: Mapped[int | None] = _application_fk()
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    scores: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    justifications: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    total: Mapped[int] = mapped_column(default=0)
    weighted_score: Mapped[float] = mapped_column(sa.Float, default=0.0)
    comment: Mapped[str] = mapped_column(sa.Text, default="")


class ReviewAssignment(TargetMixin, TenantScoped, Base):
    """A reviewer assigned to score one item (automatic or by hand, `assigned_by_id`)."""

    __tablename__ = "review_assignments"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "reviewer_id"),
        sa.UniqueConstraint("application_id", "reviewer_id"),
        sa.CheckConstraint(ONE_TARGET_SQL, name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = _call_fk()
    target: Mapped[ReviewTarget] = enum_column(ReviewTarget, "review_assignment_target")
    proposal_id: Mapped[int | None] = _proposal_fk()
    application_id: Mapped[int | None] = _application_fk()
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    is_automatic: Mapped[bool] = mapped_column(default=False)
    assigned_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ConflictDeclaration(TargetMixin, TenantScoped, Base):
    """A reviewer's declaration on one item, made before seeing its details: 利害関係なし
    (`has_conflict` False) or あり with `reason` (the reviewer is then removed from the item)."""

    __tablename__ = "conflict_declarations"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "reviewer_id"),
        sa.UniqueConstraint("application_id", "reviewer_id"),
        sa.CheckConstraint(ONE_TARGET_SQL, name="one_target"),
        sa.CheckConstraint("NOT has_conflict OR reason != ''", name="reason_when_conflict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = _call_fk()
    target: Mapped[ReviewTarget] = enum_column(ReviewTarget, "conflict_declaration_target")
    proposal_id: Mapped[int | None] = _proposal_fk()
    application_id: Mapped[int | None] = _application_fk()
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    has_conflict: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    declared_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
