"""Read-side queries on 派遣依頼 (requests of continuous / on-demand programs). Every query filters
by the tenant by hand (the boundary); the scoping listener is only the safety net."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from app.applications.models import Application, ApplicationChoice
from app.applications.requests import QUOTA_STATES
from app.applications.states import ApplicationState
from app.calls.models import Call
from app.calls.states import REQUEST_PHASE, CallModel
from app.extensions import db

# Requests the operator lists (a request is never a draft for long: it is submitted when filed).
LISTED = [ApplicationState.SUBMITTED, ApplicationState.SELECTED, ApplicationState.NOT_SELECTED, ApplicationState.WITHDRAWN]


def request_calls(tenant) -> list[Call]:
    """The continuous / on-demand calls of `tenant` (one per fiscal year), newest first."""
    return list(db.session.scalars(sa.select(Call).where(
        Call.tenant_id == tenant.id, Call.call_model != CallModel.ANNUAL).order_by(Call.fiscal_year.desc())))


def open_request_call(tenant) -> Call | None:
    """The newest call taking 派遣依頼 (non-annual, in `REQUEST_PHASE`), or None."""
    return db.session.scalar(sa.select(Call).where(
        Call.tenant_id == tenant.id, Call.call_model != CallModel.ANNUAL, Call.phase == REQUEST_PHASE,
    ).order_by(Call.fiscal_year.desc()).limit(1))


def _with_choices(stmt):
    return stmt.options(selectinload(Application.choices).joinedload(ApplicationChoice.menu_item))


def requests_of_body(tenant, body_id: int) -> list[Application]:
    """Every request of one applicant body across fiscal years, newest first, choices loaded."""
    stmt = (sa.select(Application).join(Call, Call.id == Application.call_id)
            .where(Application.tenant_id == tenant.id, Application.municipality_id == body_id,
                   Call.call_model != CallModel.ANNUAL)
            .order_by(Call.fiscal_year.desc(), Application.id.desc()))
    return list(db.session.scalars(_with_choices(stmt)).unique())


def call_requests_stmt(tenant, call: Call, *, state: ApplicationState | None = None):
    """Select of the requests of `call` (pending first, then newest), optionally in one `state`."""
    pending_first = sa.case((Application.state == ApplicationState.SUBMITTED, 0), else_=1)
    stmt = (sa.select(Application)
            .where(Application.tenant_id == tenant.id, Application.call_id == call.id,
                   Application.state.in_(LISTED if state is None else [state]))
            .order_by(pending_first, Application.submitted_at.desc(), Application.id.desc()))
    return _with_choices(stmt)


def quota_counts(tenant, call: Call) -> dict[int, int]:
    """`{body_id: pending + approved requests}` in `call` (what the quota counts, 003:1646)."""
    stmt = (sa.select(Application.municipality_id, sa.func.count(Application.id))
            .where(Application.tenant_id == tenant.id, Application.call_id == call.id, Application.state.in_(QUOTA_STATES))
            .group_by(Application.municipality_id))
    return dict(db.session.execute(stmt).all())


def pending_count(tenant, call: Call) -> int:
    """Requests of `call` waiting for the operator's decision (home task)."""
    return db.session.scalar(sa.select(sa.func.count(Application.id)).where(
        Application.tenant_id == tenant.id, Application.call_id == call.id,
        Application.state == ApplicationState.SUBMITTED)) or 0
