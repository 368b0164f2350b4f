"""Who may manage organisations (pure predicates; views answer 404 when they say no): only the
tenant's operator (市町村行政課), who owns the master data of the program."""
from __future__ import annotations

from app.auth.models import Role
from app.organisations.queries import MANAGED_KINDS
from app.tenancy.models import Organisation


def can_manage_organisation(user, organisation: Organisation) -> bool:
    """True for an operator of the tenant that owns `organisation`; the program office itself is
    managed through the tenant's settings, not here (so False for it)."""
    return (bool(getattr(user, "is_authenticated", False)) and user.tenant_id == organisation.tenant_id
            and user.role == Role.OPERATOR and organisation.kind in MANAGED_KINDS)
