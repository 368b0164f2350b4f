"""`flask seed demo`: the Fukushima tenant with fictional people and companies (サンプル), FY2022 and
FY2023 history matching the published counts (19 and 20 municipalities, 001:167-168) and FY2024
run through every phase with the services. Idempotent: a second run changes nothing."""
from __future__ import annotations

import sqlalchemy as sa
from flask import current_app

from app.calls.models import Call
from app.extensions import db
from app.questionnaires.transfer import load_missing
from app.tenancy.loader import read_definition, sync_tenant, tenant_folder
from app.tenancy.scoping import tenant_scope
from seed.fy2024 import seed_fy2024
from seed.history import history_groups, named_items, seed_history
from seed.needs import seed_needs
from seed.people import ensure_people, municipalities
from seed.requests_samples import seed_sample_tenants
from seed.support import seed_support

BUDGETS = {2023: 30947}  # 千円, 001:219 (FY2022's budget is not in the sources)


class SeedRefused(RuntimeError):
    """The demo seed does not run against a production configuration (known passwords)."""


def seed_demo(*, confirm_fy2024: bool = True) -> str:
    """Load the demo data into the `fukushima` tenant once, and the two sample tenants
    (`seed.requests_samples`); returns a summary, one line per tenant group.

    `confirm_fy2024=False` leaves FY2024 at the optimiser's unconfirmed proposal (browser tests).
    Raises `SeedRefused` when APP_ENV is production. Does nothing when the tenant already has a
    call (so `make run` can call it every time without touching real or earlier data).
    """
    if current_app.config["APP_ENV"] == "production":
        raise SeedRefused("デモデータには既知のパスワードがあるため、本番環境（APP_ENV=production）では投入できません。"
                          " / The demo seed has known passwords and never runs in production.")
    samples = seed_sample_tenants()
    folder = tenant_folder(current_app.config["TENANTS_DIR"], "fukushima")
    tenant = sync_tenant(read_definition(folder))
    with tenant_scope(tenant.id):
        load_missing(tenant, folder)  # the questionnaires, into a tenant that has none yet
        has_calls = db.session.scalar(sa.select(sa.func.count(Call.id)).where(Call.tenant_id == tenant.id))
        if has_calls:
            return f"demo: the tenant already has calls; nothing loaded\n{samples}"
        people = ensure_people(tenant, current_app.config["DEMO_PASSWORD"])
        everyone = municipalities(tenant)
        named = named_items()
        seed_history(tenant, people, everyone, _history_items(named), BUDGETS)
        groups = history_groups(everyone)
        supported = [m for pair in zip(groups[2022], groups[2023]) for m in pair]
        never = [m for m in everyone if m not in groups[2022] and m not in groups[2023]]
        call, engagements = seed_fy2024(tenant, people, everyone, named, never, supported, confirm=confirm_fy2024)
        seed_support(sorted(engagements, key=lambda e: e.id), people)
        seed_needs(tenant, everyone, people["operator"])
    return f"demo: loaded FY2022–FY2024 with {len(engagements)} FY2024 engagements\n{samples}"


def _history_items(named: list) -> list[tuple[str, list[str]]]:
    """Menus of FY2022/FY2023 (not in the sources): the earlier-era and example items, as samples."""
    items = [(t, c) for t, c, kind in named if kind != "menu_fy2024"]
    return items or [("ICTに関する悩みごと相談（サンプル）", ["CONSULT"])]
