"""Read-side queries on applications. Every query filters by the tenant by hand (the boundary);
the scoping listener is only the safety net."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.applications.models import Application, ApplicationChoice
from app.applications.states import ApplicationState
from app.calls.models import Call
from app.calls.states import CallPhase
from app.coverage.queries import is_priority, support_years
from app.extensions import db
from app.menus.models import MenuItem
from app.tenancy.models import Organisation

# Applications that take part in the call (what the operator lists and counts).
LISTED = [s for s in ApplicationState if s != ApplicationState.DRAFT]
COUNTED = [ApplicationState.SUBMITTED, ApplicationState.SELECTED, ApplicationState.NOT_SELECTED]




def published_menu_items(tenant, call: Call) -> list[MenuItem]:
    """The numbered items of `call`'s published menu, by number (empty while unpublished)."""
    if call.menu_published_at is None:
        return []
    stmt = (
        sa.select(MenuItem)
        .where(MenuItem.tenant_id == tenant.id, MenuItem.call_id == call.id, MenuItem.number.is_not(None))
        .order_by(MenuItem.number)
    )
    return list(db.session.scalars(stmt))


def open_call(tenant) -> Call | None:
    """The newest call taking applications (phase 申込受付 and a published menu), or None."""
    stmt = (
        sa.select(Call)
        .where(Call.tenant_id == tenant.id, Call.phase == CallPhase.APPLICATIONS, Call.menu_published_at.is_not(None))
        .order_by(Call.fiscal_year.desc())
        .limit(1)
    )
    return db.session.scalar(stmt)


def active_application_count(tenant, call: Call, municipality_id: int) -> int:
    """Non-withdrawn applications of one municipality in `call` (the per-call limit counts these)."""
    stmt = sa.select(sa.func.count(Application.id)).where(
        Application.tenant_id == tenant.id,
        Application.call_id == call.id,
        Application.municipality_id == municipality_id,
        Application.state != ApplicationState.WITHDRAWN,
    )
    return db.session.scalar(stmt) or 0


def _with_choices(stmt):
    return stmt.options(selectinload(Application.choices).joinedload(ApplicationChoice.menu_item))


def applications_of_municipality(tenant, municipality_id: int) -> list[Application]:
    """Every application of one municipality across fiscal years, newest year first, choices loaded."""
    stmt = (
        sa.select(Application)
        .join(Call, Call.id == Application.call_id)
        .where(Application.tenant_id == tenant.id, Application.municipality_id == municipality_id)
        .order_by(Call.fiscal_year.desc(), Application.id.desc())
    )
    return list(db.session.scalars(_with_choices(stmt)).unique())


def call_applications_stmt(tenant, call: Call, *, state: ApplicationState | None = None,
                           municipality_ids: set[int] | None = None):
    """Select of the non-draft applications of `call` by 全国地方公共団体コード, choices loaded.

    `state` filters by state; `municipality_ids` (e.g. the priority ones) by municipality.
    """
    stmt = (
        sa.select(Application)
        .join(Organisation, Organisation.id == Application.municipality_id)
        .where(Application.tenant_id == tenant.id, Application.call_id == call.id, Application.state.in_(LISTED))
        .order_by(Organisation.lg_code, Application.id)
    )
    if state is not None:
        stmt = stmt.where(Application.state == state)
    if municipality_ids is not None:
        stmt = stmt.where(Application.municipality_id.in_(municipality_ids))
    return _with_choices(stmt)


def municipality_ids_of_call(tenant, call: Call) -> set[int]:
    """Municipalities with a non-draft application in `call`."""
    stmt = sa.select(Application.municipality_id).where(
        Application.tenant_id == tenant.id, Application.call_id == call.id, Application.state.in_(LISTED)
    )
    return set(db.session.scalars(stmt.distinct()))


def applications_of_call(tenant, call: Call, *, state: ApplicationState | None = None) -> list[Application]:
    """The non-draft applications of `call` (optionally in one `state`), choices loaded."""
    return list(db.session.scalars(call_applications_stmt(tenant, call, state=state)).unique())


def priority_flags(tenant, call: Call, municipality_ids) -> tuple[dict[int, list[int]], set[int]]:
    """Support history and priority of municipalities for `call`.

    Returns `({municipality_id: [fiscal years supported, ascending]}, {priority municipality ids})`;
    priority = not supported in the call's `priority_lookback_years` before its year (001:170).
    """
    years = support_years(tenant)
    history = {m: sorted(years.get(m, set())) for m in municipality_ids}
    priority = {m for m in municipality_ids
                if is_priority(years.get(m, set()), call.fiscal_year, call.priority_lookback_years)}
    return history, priority


def call_counts(tenant, call: Call) -> dict[str, int]:
    """Counts of `call`'s applications that count (submitted or decided; not returned/withdrawn).

    `{"applications": n, "municipalities": distinct municipalities, "priority": priority municipalities}`.
    """
    stmt = sa.select(Application.municipality_id).where(
        Application.tenant_id == tenant.id, Application.call_id == call.id, Application.state.in_(COUNTED)
    )
    municipality_ids = list(db.session.scalars(stmt))
    distinct = set(municipality_ids)
    _, priority = priority_flags(tenant, call, distinct)
    return {"applications": len(municipality_ids), "municipalities": len(distinct), "priority": len(priority)}


def count_in_state(tenant, state: ApplicationState, *, call: Call | None = None,
                   municipality_id: int | None = None) -> int:
    """Applications in `state`, optionally of one call and/or one municipality (home tasks)."""
    stmt = sa.select(sa.func.count(Application.id)).where(Application.tenant_id == tenant.id, Application.state == state)
    if call is not None:
        stmt = stmt.where(Application.call_id == call.id)
    if municipality_id is not None:
        stmt = stmt.where(Application.municipality_id == municipality_id)
    return db.session.scalar(stmt) or 0
