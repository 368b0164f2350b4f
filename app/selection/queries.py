"""Read-side queries on selections and allocations (filtered by tenant by hand)."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.applications.models import Application, ApplicationChoice
from app.calls.models import Call
from app.extensions import db
from app.menus.models import MenuItem
from app.selection.models import Allocation, Selection
from app.tenancy.models import Organisation


def selection_of(tenant, call: Call) -> Selection | None:
    """The selection of `call` (one per call), or None before the first proposal."""
    return db.session.scalar(sa.select(Selection).where(Selection.tenant_id == tenant.id, Selection.call_id == call.id))


def allocations_stmt(tenant, selection: Selection):
    """Select of a selection's allocations with application, municipality, choices and item loaded;
    priority municipalities first, then by 全国地方公共団体コード."""
    return (
        sa.select(Allocation)
        .join(Application, Application.id == Allocation.application_id)
        .join(Organisation, Organisation.id == Application.municipality_id)
        .where(Allocation.tenant_id == tenant.id, Allocation.selection_id == selection.id)
        .order_by(Allocation.is_priority.desc(), Organisation.lg_code, Application.id)
        .options(selectinload(Allocation.application).selectinload(Application.choices)
                 .joinedload(ApplicationChoice.menu_item))
    )


def selection_totals(tenant, call: Call, selection: Selection | None) -> dict[str, int]:
    """Totals of a selection (budget in 千円).

    `{"selected": engagements, "municipalities": distinct municipalities selected,
    "priority_served": priority municipalities selected, "priority_applicants": priority
    municipalities that applied, "cost": allocated 千円, "budget": 千円, "remaining": 千円}`.
    """
    totals = {"selected": 0, "municipalities": 0, "priority_served": 0, "priority_applicants": 0, "cost": 0}
    if selection is not None:
        selected = Allocation.menu_item_id.is_not(None)
        muni = Application.municipality_id
        stmt = (
            sa.select(
                sa.func.count(MenuItem.id),
                sa.func.count(sa.distinct(sa.case((selected, muni)))),
                sa.func.count(sa.distinct(sa.case((sa.and_(selected, Allocation.is_priority), muni)))),
                sa.func.count(sa.distinct(sa.case((Allocation.is_priority, muni)))),
                sa.func.coalesce(sa.func.sum(MenuItem.unit_cost_thousand_yen), 0),
            )
            .select_from(Allocation)
            .join(Application, Application.id == Allocation.application_id)
            .outerjoin(MenuItem, MenuItem.id == Allocation.menu_item_id)
            .where(Allocation.tenant_id == tenant.id, Allocation.selection_id == selection.id)
        )
        row = db.session.execute(stmt).one()
        totals = dict(zip(("selected", "municipalities", "priority_served", "priority_applicants", "cost"), map(int, row)))
    totals["budget"] = call.budget_thousand_yen
    totals["remaining"] = call.budget_thousand_yen - totals["cost"]
    return totals


def selected_municipality_ids(tenant, selection: Selection) -> set[int]:
    """Organisation ids of the municipalities that `selection` gives at least one menu item."""
    stmt = (
        sa.select(Application.municipality_id)
        .join(Allocation, Allocation.application_id == Application.id)
        .where(Allocation.tenant_id == tenant.id, Allocation.selection_id == selection.id,
               Allocation.menu_item_id.is_not(None))
        .distinct()
    )
    return set(db.session.scalars(stmt))


def lock_selection(selection: Selection) -> Selection:
    """Reload `selection` with a row lock (SELECT … FOR UPDATE on PostgreSQL; SQLite serialises
    writers itself), so that two operators confirming or adjusting at once run one after the other
    and the second sees the first one's result (quality.md: no double engagement, no exceeded cap)."""
    stmt = (sa.select(Selection).where(Selection.id == selection.id, Selection.tenant_id == selection.tenant_id)
            .with_for_update(of=Selection).execution_options(populate_existing=True))
    return db.session.scalars(stmt).one()
