"""Who may see an export job and download its file (pure predicates; views answer 404)."""
from __future__ import annotations

from app.auth.models import Role


def can_view_export_job(user, job) -> bool:
    """The user who requested the export, or an operator of the job's tenant."""
    if not getattr(user, "is_authenticated", False) or user.tenant_id != job.tenant_id:
        return False
    return user.id == job.requested_by_id or user.role == Role.OPERATOR
