"""The fail-closed ORM safety net for tenant data (architecture.md, Tenancy 4).

Every ORM SELECT gets `tenant_id = <active tenant>` for each `TenantScoped` entity it names (at
the top level, in FROM, joins and subqueries) through `with_loader_criteria`; a SELECT that touches
a tenant table with no tenant active raises `TenantScopeError`. The active tenant lives in
`db.session.info`, so it never outlives the app context's session. Not covered (filter by hand):
`session.get()` of an identity-mapped object, correlated `exists()` subqueries, bulk
`update()`/`delete()`, `text()`.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, with_loader_criteria
from sqlalchemy.sql import util as sql_util

from app.core.db import TenantScoped
from app.extensions import db

SYSTEM = "system"
_KEY = "tenant_id"


class TenantScopeError(RuntimeError):
    """Tenant data was queried with no tenant active (a bug, never shown to users)."""


def activate_tenant(tenant_id: int | str) -> None:
    """Scope the current session to `tenant_id` (or `SYSTEM` for cross-tenant system work)."""
    db.session.info[_KEY] = tenant_id


def deactivate_tenant() -> None:
    """Remove the scope: tenant queries raise again until a tenant is activated."""
    db.session.info.pop(_KEY, None)


def active_tenant_id() -> int | str | None:
    """The tenant id the session is scoped to, `SYSTEM`, or None."""
    return db.session.info.get(_KEY)


@contextmanager
def tenant_scope(tenant_id: int | str) -> Iterator[None]:
    """Run a block (CLI, job, seed, test) scoped to one tenant, restoring the previous scope."""
    previous = db.session.info.get(_KEY)
    activate_tenant(tenant_id)
    try:
        yield
    finally:
        if previous is None:
            deactivate_tenant()
        else:
            activate_tenant(previous)


def _tenant_table_names() -> set[str]:
    return {m.local_table.name for m in db.Model.registry.mappers if issubclass(m.class_, TenantScoped)}


def _touches_tenant_data(state: ORMExecuteState) -> bool:
    if any(issubclass(m.class_, TenantScoped) for m in state.all_mappers):
        return True
    tables = sql_util.find_tables(state.statement, include_joins=True, include_selects=True, include_aliases=True)
    names = _tenant_table_names()
    return any(getattr(t, "name", None) in names for t in tables)


@event.listens_for(Session, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return
    tenant_id = state.session.info.get(_KEY)
    if tenant_id == SYSTEM:
        return
    if tenant_id is None:
        if _touches_tenant_data(state):
            raise TenantScopeError("tenant data queried with no tenant active")
        return
    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True)
    )
