"""Read-side queries of the imports domain."""
from __future__ import annotations

import sqlalchemy as sa

from app.core.pagination import Page, paginate
from app.imports.models import ImportRun


def import_history(tenant, *, page: int = 1) -> Page:
    """The tenant's import runs, newest first (two queries)."""
    stmt = sa.select(ImportRun).where(ImportRun.tenant_id == tenant.id).order_by(ImportRun.created_at.desc(), ImportRun.id.desc())
    return paginate(stmt, page)
