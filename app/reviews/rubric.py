"""Rubrics (評価項目) and the weighted score: pure functions, plus the read of a call's rubric.

A criterion gives 1..`max` points with a `weight` (> 0); the review's weighted score is
`100 × Σ weight·points/max ÷ Σ weight` over the criteria scored (optional criteria left unscored
count neither way), rounded to 0.1 — so 0..100 whatever the rubric's maxima.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import sqlalchemy as sa

from app.extensions import db
from app.reviews.models import ReviewCriterion
from app.reviews.states import ReviewTarget

# Used when tenant.toml has no `rules.application_rubric` (fictional wording, no source rule).
DEFAULT_APPLICATION_RUBRIC = [
    {"key": "clarity", "label": "課題の明確さ", "max": 5, "weight": 2},
    {"key": "readiness", "label": "庁内の推進体制", "max": 5, "weight": 1},
    {"key": "effect", "label": "期待される効果・横展開", "max": 5, "weight": 1},
]
RULE_KEYS = {ReviewTarget.PROPOSAL: "review_rubric", ReviewTarget.APPLICATION: "application_rubric"}


@dataclass(frozen=True)
class Criterion:
    """One rubric criterion: points 1..`max`, `weight` > 0, `required` to be scored."""

    key: str
    label: str
    max: int
    weight: float = 1.0
    required: bool = True

    def as_dict(self) -> dict:
        return asdict(self)


def _criterion(raw) -> Criterion | None:
    """A criterion from one tenant.toml table, or None when it cannot be read (read tolerantly:
    the tenant loader validates the file)."""
    try:
        key, label = str(raw["key"]).strip(), str(raw.get("label") or raw["key"]).strip()
        maximum, weight = int(raw.get("max", 5)), float(raw.get("weight", 1))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if not key or not 1 <= maximum <= 100 or weight <= 0:
        return None
    return Criterion(key, label, maximum, weight, bool(raw.get("required", True)))


def tenant_rubric(tenant, target: ReviewTarget = ReviewTarget.PROPOSAL) -> list[Criterion]:
    """The tenant's default rubric for `target`: tenant.toml `rules.review_rubric` (proposals) or
    `rules.application_rubric` (applications; `DEFAULT_APPLICATION_RUBRIC` when absent)."""
    raw = tenant.rule(RULE_KEYS[target]) or (DEFAULT_APPLICATION_RUBRIC if target == ReviewTarget.APPLICATION else [])
    criteria, seen = [], set()
    for item in raw if isinstance(raw, list) else []:
        criterion = _criterion(item)
        if criterion is not None and criterion.key not in seen:
            seen.add(criterion.key)
            criteria.append(criterion)
    return criteria


def stored_criteria(call, target: ReviewTarget) -> list[ReviewCriterion]:
    """The call's stored criteria rows for `target`, in order (empty until first needed)."""
    return list(db.session.scalars(sa.select(ReviewCriterion).where(
        ReviewCriterion.tenant_id == call.tenant_id, ReviewCriterion.call_id == call.id, ReviewCriterion.target == target,
    ).order_by(ReviewCriterion.position, ReviewCriterion.id)))


def rubric_for(call, target: ReviewTarget, tenant=None) -> list[Criterion]:
    """The rubric of `call` for `target`: its stored criteria, else the tenant defaults (not
    stored: `services.ensure_rubric` copies them at the first score or edit)."""
    rows = stored_criteria(call, target)
    if rows:
        return [Criterion(r.key, r.label, r.max_points, r.weight, r.is_required) for r in rows]
    if tenant is None:
        from app.tenancy.models import Tenant

        tenant = db.session.scalar(sa.select(Tenant).where(Tenant.id == call.tenant_id))
    return tenant_rubric(tenant, target)


def weighted_score(criteria: list[Criterion], scores: dict[str, int]) -> float:
    """The weighted score 0..100 of `scores {key: points}` on `criteria` (module docstring)."""
    scored = [c for c in criteria if scores.get(c.key) is not None]
    weights = sum(c.weight for c in scored)
    if not weights:
        return 0.0
    value = 100 * sum(c.weight * scores[c.key] / c.max for c in scored) / weights
    return round(min(max(value, 0.0), 100.0), 1)
