"""Calls of continuous and on-demand programs (静岡県・宮城県-style, digest §2.3): one call per fiscal
year, created directly in `REQUEST_PHASE` with no phase windows and no selection, whose menu is
the registered experts' themes (登録リストにあるテーマ, 003:1647) or the commissioned adviser's menu
(003:1609), published at once. Services flush, never commit, never read `flask.request`.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.calls.models import Call
from app.calls.states import REQUEST_PHASE, CallModel
from app.core.audit import record_audit, record_transition
from app.core.db import utcnow
from app.core.wareki import fiscal_year_label
from app.extensions import db
from app.menus.models import MenuItem
from app.menus.states import DeliveryFormat
from app.tenancy.models import Organisation, OrganisationKind

# Requests are limited per body (quota), never per menu item: capacity only satisfies its CHECK.
UNBOUNDED_CAPACITY = 999


def create_request_call(tenant, *, fiscal_year: int, actor, budget_thousand_yen: int = 0, title: str = "",
                        is_sample: bool = False) -> Call:
    """Create the `fiscal_year` call of a continuous / on-demand tenant, open for 派遣依頼 at once.

    Rules come from tenant.toml: `call_model`, `max_dispatches_per_body_per_year` (None = no quota;
    静岡県 1団体につき年５回まで, 003:1646), `max_choices`. The menu is built by `sync_request_menu`.
    The caller (`app.calls.services.create_call`) has checked that no call exists for the year.
    Budget in 千円 (0 when the program has no per-call budget). Returns the flushed call.
    """
    call = Call(
        tenant_id=tenant.id, fiscal_year=fiscal_year, title=title or f"{fiscal_year_label(fiscal_year)} {tenant.name}",
        budget_thousand_yen=budget_thousand_yen, call_model=CallModel(tenant.call_model), phase=REQUEST_PHASE,
        max_dispatches_per_body=tenant.rule("max_dispatches_per_body_per_year"),
        max_choices=1, max_applications_per_municipality=10, max_engagements_first_pass=10, max_engagements_per_municipality=10,
        priority_lookback_years=int(tenant.rule("priority_lookback_years", 2)),
        coverage_window_years=int(tenant.rule("coverage_window_years", 3)),
        menu_published_at=utcnow(), is_sample=is_sample or tenant.is_sample,
    )
    db.session.add(call)
    db.session.flush()
    record_transition("call", call, None, REQUEST_PHASE, actor=actor, note="派遣依頼を随時受け付ける年度として作成")
    record_audit("call.create", tenant_id=tenant.id, actor=actor, target=call,
                 changes={"fiscal_year": fiscal_year, "call_model": call.call_model.value})
    sync_request_menu(tenant, call)
    return call


def sync_request_menu(tenant, call: Call) -> list[MenuItem]:
    """Add a numbered, published menu item for every registered theme of every provider (expert or
    adviser) that the call's menu does not hold yet; never removes items (requests point at them).

    Themes come from `Organisation.themes` (tenants/<slug>/<providers_file>). Returns the new items.
    """
    providers = db.session.scalars(sa.select(Organisation).where(
        Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.PROVIDER,
        Organisation.is_active.is_(True)).order_by(Organisation.name))
    existing = {(i.provider_id, i.title) for i in db.session.scalars(
        sa.select(MenuItem).where(MenuItem.tenant_id == tenant.id, MenuItem.call_id == call.id))}
    number = db.session.scalar(sa.select(sa.func.max(MenuItem.number)).where(
        MenuItem.tenant_id == tenant.id, MenuItem.call_id == call.id)) or 0
    added = []
    for provider in providers:
        for theme in provider.themes or []:
            if (provider.id, theme["title"]) in existing:
                continue
            number += 1
            item = MenuItem(tenant_id=tenant.id, call_id=call.id, provider_id=provider.id, number=number,
                            title=theme["title"], categories=list(theme.get("categories", [])),
                            format=DeliveryFormat(theme.get("format", "hybrid")), capacity=UNBOUNDED_CAPACITY,
                            unit_cost_thousand_yen=0, is_sample=call.is_sample)
            db.session.add(item)
            added.append(item)
    db.session.flush()
    return added
