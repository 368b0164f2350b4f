"""A reviewer's scores for one menu proposal."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, TimestampMixin


class Review(TenantScoped, TimestampMixin, Base):
    """Scores `{criterion_key: points}` on the rubric of tenant.toml `rules.review_rubric`."""

    __tablename__ = "reviews"
    __table_args__ = (
        sa.UniqueConstraint("proposal_id", "reviewer_id"),
        sa.CheckConstraint("total >= 0", name="total_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("menu_proposals.id", ondelete="CASCADE"), index=True)
    reviewer_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    scores: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    total: Mapped[int] = mapped_column(default=0)
    comment: Mapped[str] = mapped_column(sa.Text, default="")
