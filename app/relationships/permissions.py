"""Who may see and declare provider–municipality relationships (pure predicates; views answer 404).

The operator sees and declares every relationship of the tenant; provider staff only those of
their own company. Municipal staff and reviewers have no page here.
"""
from __future__ import annotations

from app.auth.models import Role


def can_view_relationship(user, row) -> bool:
    """The tenant's operators, or staff of the declared provider."""
    if not getattr(user, "is_authenticated", False) or user.tenant_id != row.tenant_id:
        return False
    return user.role == Role.OPERATOR or (user.role == Role.PROVIDER and user.organisation_id == row.provider_id)
