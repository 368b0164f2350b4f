"""Test data for coverage and the open-data API: calls, menu items and engagements built through
the calls and engagements services (MenuItem rows directly, as the menus domain owns their services)."""
from __future__ import annotations

import contextlib

import sqlalchemy as sa

from app.calls.models import Call
from app.calls.services import create_call
from app.engagements.services import record_past_engagement, transition_engagement
from app.engagements.states import EngagementState
from app.extensions import db
from app.menus.models import MenuItem
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from tests import factories


def call_for(tenant, fiscal_year: int) -> Call:
    """The call of `fiscal_year` (created with a budget of 10,000千円 when missing)."""
    call = db.session.scalar(sa.select(Call).where(Call.tenant_id == tenant.id, Call.fiscal_year == fiscal_year))
    return call or create_call(tenant, fiscal_year=fiscal_year, budget_thousand_yen=10000, actor=None)


def menu_item(tenant, call: Call, number: int | None = 1, title: str = "情報セキュリティポリシー見直し",
              provider_name: str = "テスト情報システム株式会社", categories=("SEC",)) -> MenuItem:
    """A menu item of `call` by the provider `provider_name` (numbered unless `number` is None)."""
    item = MenuItem(
        tenant_id=tenant.id, call_id=call.id, provider_id=factories.provider(tenant, provider_name).id, number=number,
        title=title, categories=list(categories), capacity=60, unit_cost_thousand_yen=1500,
    )
    db.session.add(item)
    db.session.flush()
    return item


def support(tenant, fiscal_year: int, municipalities, state: EngagementState = EngagementState.CLOSED) -> list:
    """One engagement in `fiscal_year` for each of `municipalities`, recorded in `state`."""
    call = call_for(tenant, fiscal_year)
    item = db.session.scalar(sa.select(MenuItem).where(MenuItem.call_id == call.id).limit(1)) or menu_item(tenant, call)
    return [record_past_engagement(call=call, municipality=m, menu_item=item, actor=None, state=state) for m in municipalities]


def cancel(engagement) -> None:
    """Cancel an ASSIGNED engagement through its workflow."""
    transition_engagement(engagement, EngagementState.CANCELLED, actor=None, note="日程が合わず中止")


def municipalities() -> list[Organisation]:
    """The active tenant's municipalities in master-list order."""
    stmt = sa.select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY).order_by(Organisation.id)
    return list(db.session.scalars(stmt))


def other_tenant(n_municipalities: int = 1) -> Tenant:
    """A second tenant with `n_municipalities` municipalities (flushed; scope it before querying)."""
    tenant = Tenant(slug="other", name="ICTエキスパート派遣事業", prefecture="静岡県", office_name="デジタル戦略課")
    db.session.add(tenant)
    db.session.flush()
    codes = ["222011", "222038", "222054"][:n_municipalities]  # 静岡市, 浜松市, 沼津市
    for code, name in zip(codes, ["静岡市", "浜松市", "沼津市"]):
        db.session.add(Organisation(tenant_id=tenant.id, kind=OrganisationKind.MUNICIPALITY, name=name, lg_code=code,
                                    municipality_kind="市", region="中部", area="中部"))
    db.session.flush()
    return tenant


@contextlib.contextmanager
def count_statements(engine):
    """Collect the SQL statements `engine` executes inside the block."""
    statements: list[str] = []

    def _count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", _count)
