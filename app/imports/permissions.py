"""Who may import (pure predicates; views answer 404 when they say no): only the tenant's operator
(市町村行政課), who owns the master data and the yearly records."""
from __future__ import annotations

from app.auth.models import Role


def can_manage_imports(user, run) -> bool:
    """True for an operator of the tenant that owns `run` (an `ImportRun`)."""
    return (bool(getattr(user, "is_authenticated", False)) and user.tenant_id == run.tenant_id
            and user.role == Role.OPERATOR)
