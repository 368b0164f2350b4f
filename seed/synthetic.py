"""`flask seed synthetic`: a national-scale annual call for the allocation benchmark (issue 3 item 8).

A tenant of its own (slug `synthetic`, is_sample) with 1,741 fictional municipalities
(「サンプル市0001」…, 全国地方公共団体コード 90001x…: prefecture code 90 does not exist, so the codes
are obviously synthetic while their check digit is valid), ~60 fictional providers, FY2022/FY2023
history (≈70% of municipalities supported, so ≈30% are priority), and FY2024 in 選定・決定 with a
published menu of ~500 items (capacity 1–5, unit cost 800–3,000千円), one submitted application per
municipality with 3 ranked choices drawn from a skewed popularity (popular items are contested)
and a budget that binds (1,200千円 per municipality against a mean unit cost of ≈1,900千円).

Rows are added in bulk (ORM `add_all`, a few flushes), not through the services: no audit events,
no phase history; a benchmark fixture, not a record of anything. It finishes in a few seconds
(well under a minute) on SQLite. Refuses to run when APP_ENV is production; idempotent (does nothing
when the tenant already exists). Deterministic for a given `seed`.
"""
from __future__ import annotations

import datetime as dt
import random

import sqlalchemy as sa
from flask import current_app

from app.applications.models import Application, ApplicationChoice
from app.applications.states import ApplicationState
from app.calls.models import Call
from app.calls.states import CallPhase
from app.core.db import utcnow
from app.engagements.models import Engagement
from app.engagements.states import EngagementState
from app.extensions import db
from app.menus.models import MenuItem
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from app.tenancy.scoping import tenant_scope
from seed.demo import SeedRefused

SLUG = "synthetic"
FISCAL_YEAR = 2024
HISTORY_YEARS = (2022, 2023)
KINDS = ("市", "町", "村")
RULES = {
    "call_model": "annual", "applicant_kinds": ["municipality"], "provider_model": "company_menu", "max_choices": 3,
    "max_applications_per_municipality": 1, "max_engagements_first_pass": 1, "max_engagements_per_municipality": 1,
    "priority_lookback_years": 2, "coverage_window_years": 3,
}
BUDGET_PER_MUNICIPALITY = 1200  # 千円: binds (the optimum without it needs ≈1,430 per municipality)
PRIORITY_SHARE = 0.3  # municipalities with no engagement in FY2022–FY2023


def synthetic_lg_code(index: int) -> str:
    """「90」+ 4-digit index + the check digit of 全国地方公共団体コード (valid, never a real code)."""
    body = f"9{index:04d}"
    weighted = sum(w * int(d) for w, d in zip((6, 5, 4, 3, 2), body))
    return body + str((11 - weighted % 11) % 10)


def seed_synthetic(*, municipalities: int = 1741, items: int = 500, providers: int = 60, seed: int = 2024) -> str:
    """Build the synthetic tenant once; returns a one-line summary (flushed, not committed).

    Raises `SeedRefused` when APP_ENV is production. Does nothing when the tenant exists.
    """
    if current_app.config["APP_ENV"] == "production":
        raise SeedRefused("the synthetic seed is a benchmark fixture and never runs in production")
    if db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == SLUG)) is not None:
        return "synthetic: the tenant already exists; nothing loaded"
    rng = random.Random(seed)
    tenant = Tenant(slug=SLUG, name="全国規模ベンチマーク（サンプル）", prefecture="サンプル県", office_name="サンプル課",
                    is_sample=True, rules=dict(RULES), calendar={}, categories=[])
    db.session.add(tenant)
    db.session.flush()
    with tenant_scope(tenant.id):
        munis, companies = _organisations(tenant, municipalities, providers)
        _history(tenant, rng, munis, companies)
        call, menu = _call(tenant, rng, municipalities, items, companies)
        _applications(tenant, rng, call, munis, menu)
    return (f"synthetic: FY{FISCAL_YEAR} call with {municipalities} municipalities, {items} menu items, "
            f"budget {call.budget_thousand_yen:,}千円")


def _organisations(tenant: Tenant, count: int, providers: int) -> tuple[list[Organisation], list[Organisation]]:
    office = Organisation(tenant_id=tenant.id, kind=OrganisationKind.OFFICE, name="サンプル県 サンプル課", is_sample=True)
    munis = [
        Organisation(tenant_id=tenant.id, kind=OrganisationKind.MUNICIPALITY, name=f"サンプル{KINDS[i % 3]}{i:04d}",
                     lg_code=synthetic_lg_code(i), municipality_kind=KINDS[i % 3], region=f"サンプル地域{i % 47 + 1:02d}",
                     area=f"サンプル圏{i % 3 + 1}", is_sample=True)
        for i in range(1, count + 1)
    ]
    companies = [Organisation(tenant_id=tenant.id, kind=OrganisationKind.PROVIDER, name=f"サンプル事業者{i:02d}",
                              is_sample=True) for i in range(1, providers + 1)]
    db.session.add_all([office, *munis, *companies])
    db.session.flush()
    return munis, companies


def _menu(tenant: Tenant, rng: random.Random, call: Call, count: int, companies: list) -> list[MenuItem]:
    menu = [
        MenuItem(tenant_id=tenant.id, call_id=call.id, provider_id=companies[i % len(companies)].id, number=i + 1,
                 title=f"サンプル支援メニュー{call.fiscal_year}-{i + 1:04d}", capacity=rng.choice([1, 2, 3, 3, 4, 5]),
                 unit_cost_thousand_yen=rng.randrange(800, 3001, 100), is_sample=True)
        for i in range(count)
    ]
    db.session.add_all(menu)
    db.session.flush()
    return menu


def _new_call(tenant: Tenant, fiscal_year: int, phase: CallPhase, budget: int) -> Call:
    call = Call(tenant_id=tenant.id, fiscal_year=fiscal_year, title=f"{fiscal_year}年度 全国規模ベンチマーク（サンプル）",
                phase=phase, budget_thousand_yen=budget, menu_published_at=utcnow(), is_sample=True,
                max_choices=3, max_applications_per_municipality=1, max_engagements_first_pass=1,
                max_engagements_per_municipality=1, priority_lookback_years=2, coverage_window_years=3)
    db.session.add(call)
    db.session.flush()
    return call


def _history(tenant: Tenant, rng: random.Random, munis: list, companies: list) -> None:
    """FY2022 and FY2023 closed, with engagements for ≈70% of municipalities (the others are priority)."""
    supported = rng.sample(munis, round(len(munis) * (1 - PRIORITY_SHARE)))
    for index, fiscal_year in enumerate(HISTORY_YEARS):
        call = _new_call(tenant, fiscal_year, CallPhase.CLOSED, 0)
        menu = _menu(tenant, rng, call, 10, companies)
        group = supported[index::len(HISTORY_YEARS)]
        call.budget_thousand_yen = sum(menu[i % len(menu)].unit_cost_thousand_yen for i in range(len(group)))
        db.session.add_all([
            Engagement(tenant_id=tenant.id, call_id=call.id, fiscal_year=fiscal_year, menu_item_id=item.id,
                       provider_id=item.provider_id, municipality_id=m.id, state=EngagementState.CLOSED,
                       cost_thousand_yen=item.unit_cost_thousand_yen, is_sample=True)
            for i, m in enumerate(group) for item in [menu[i % len(menu)]]
        ])
    db.session.flush()


def _call(tenant: Tenant, rng: random.Random, municipalities: int, items: int, companies: list):
    call = _new_call(tenant, FISCAL_YEAR, CallPhase.SELECTION, municipalities * BUDGET_PER_MUNICIPALITY)
    return call, _menu(tenant, rng, call, items, companies)


def _applications(tenant: Tenant, rng: random.Random, call: Call, munis: list, menu: list) -> None:
    """One submitted application per municipality, 3 distinct choices by a Zipf-like popularity."""
    popularity = rng.sample(menu, len(menu))
    weights = [1 / (rank ** 0.8) for rank in range(1, len(popularity) + 1)]
    opened = dt.datetime(FISCAL_YEAR, 5, 15, tzinfo=dt.timezone.utc)
    applications = []
    for index, municipality in enumerate(munis):
        picks: list[MenuItem] = []
        while len(picks) < min(3, len(menu)):
            item = rng.choices(popularity, weights)[0]
            if item not in picks:
                picks.append(item)
        submitted = opened + dt.timedelta(minutes=index * 13 + rng.randrange(13))
        application = Application(tenant_id=tenant.id, call_id=call.id, municipality_id=municipality.id,
                                  state=ApplicationState.SUBMITTED, issue="サンプルの課題", goal="サンプルの目標",
                                  submitted_at=submitted, is_sample=True)
        application.choices = [ApplicationChoice(tenant_id=tenant.id, rank=rank, menu_item_id=item.id)
                               for rank, item in enumerate(picks, start=1)]
        applications.append(application)
    db.session.add_all(applications)
    db.session.flush()
