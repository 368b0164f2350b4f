"""Who may see and act on engagements (pure predicates; views answer 404 when they say no).

The operator sees every engagement of the tenant; a provider only those assigned to its own
organisation (digest §10.5); municipal staff only those of their own municipality.
"""
from __future__ import annotations

from app.auth.models import Role


def _in_tenant(user, obj) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.tenant_id == obj.tenant_id


def is_operator(user, obj) -> bool:
    """True for an operator of the tenant that owns `obj`."""
    return _in_tenant(user, obj) and user.role == Role.OPERATOR


def is_engagement_provider(user, engagement) -> bool:
    """True for staff of the provider organisation assigned to `engagement`."""
    return _in_tenant(user, engagement) and user.role == Role.PROVIDER and user.organisation_id == engagement.provider_id


def is_engagement_municipality(user, engagement) -> bool:
    """True for staff of the municipality supported by `engagement`."""
    return (_in_tenant(user, engagement) and user.role == Role.MUNICIPAL
            and user.organisation_id == engagement.municipality_id)


def can_view_engagement(user, engagement) -> bool:
    """Operator, the assigned provider's staff, or the municipality's staff."""
    return is_operator(user, engagement) or is_engagement_provider(user, engagement) or is_engagement_municipality(user, engagement)
