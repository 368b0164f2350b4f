"""Loads `tenants/<slug>/` (tenant.toml + CSV master data) into the database, idempotently.

`tenant.toml` holds identity, `[rules]` (product.md §5), `[calendar]` (phase windows relative to the
fiscal year) and the DX issue taxonomy file name; `municipalities.csv` the municipalities with their
全国地方公共団体コード. Errors name the file and key (`TenantDefinitionError`).
"""
from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from app.tenancy.scoping import tenant_scope

REQUIRED_KEYS = ("slug", "name", "prefecture", "office_name")
MUNICIPALITY_COLUMNS = ("lg_code", "name", "kana", "kind", "district", "region", "area", "evacuation_area_12")


class TenantDefinitionError(ValueError):
    """The tenant definition is invalid; the message names the file and the key or row."""


@dataclass
class TenantDefinition:
    """A parsed `tenants/<slug>/` folder."""

    slug: str
    meta: dict
    rules: dict
    calendar: dict
    categories: list[dict]
    municipalities: list[dict] = field(default_factory=list)


def lg_code_is_valid(code: str) -> bool:
    """True when `code` is 6 digits whose last is the check digit of 全国地方公共団体コード.

    check = (11 − (6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5) mod 11) mod 10 (shared/data/fukushima/README.md).
    """
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    digits = [int(c) for c in code]
    weighted = sum(w * d for w, d in zip((6, 5, 4, 3, 2), digits[:5]))
    return (11 - weighted % 11) % 10 == digits[5]


def read_definition(folder: Path) -> TenantDefinition:
    """Parse and validate a tenant folder. Raises `TenantDefinitionError` naming file and key."""
    toml_path = folder / "tenant.toml"
    if not toml_path.is_file():
        raise TenantDefinitionError(f"{toml_path}: not found")
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TenantDefinitionError(f"{toml_path}: {exc}") from exc
    for key in REQUIRED_KEYS:
        if not str(data.get(key, "")).strip():
            raise TenantDefinitionError(f"{toml_path}: key '{key}' is required")
    if data["slug"] != folder.name:
        raise TenantDefinitionError(f"{toml_path}: key 'slug' must equal the folder name '{folder.name}'")
    categories = _read_categories(folder / data.get("categories_file", "categories.csv"))
    municipalities = _read_municipalities(folder / data.get("municipalities_file", "municipalities.csv"))
    meta = {k: v for k, v in data.items() if k not in ("rules", "calendar")}
    return TenantDefinition(data["slug"], meta, data.get("rules", {}), data.get("calendar", {}), categories, municipalities)


def _read_categories(path: Path) -> list[dict]:
    if not path.is_file():
        raise TenantDefinitionError(f"{path}: not found")
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    for number, row in enumerate(rows, start=2):
        if not row.get("code") or not row.get("label"):
            raise TenantDefinitionError(f"{path}:{number}: 'code' and 'label' are required")
    return [{"code": r["code"], "label": r["label"]} for r in rows]


def _read_municipalities(path: Path) -> list[dict]:
    if not path.is_file():
        raise TenantDefinitionError(f"{path}: not found")
    reader = csv.DictReader(path.open(encoding="utf-8"))
    missing = [c for c in MUNICIPALITY_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise TenantDefinitionError(f"{path}: missing columns {', '.join(missing)}")
    rows = list(reader)
    for number, row in enumerate(rows, start=2):
        if not lg_code_is_valid(row["lg_code"]):
            raise TenantDefinitionError(f"{path}:{number}: lg_code '{row['lg_code']}' has a wrong check digit")
    return rows


def sync_tenant(definition: TenantDefinition) -> Tenant:
    """Create or update the tenant and its municipalities and program office; never deletes.

    Idempotent: running it twice changes nothing the second time. Returns the `Tenant` (flushed,
    not committed).
    """
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == definition.slug))
    if tenant is None:
        tenant = Tenant(slug=definition.slug)
        db.session.add(tenant)
    meta = definition.meta
    tenant.name = meta["name"]
    tenant.prefecture = meta["prefecture"]
    tenant.office_name = meta["office_name"]
    tenant.council_name = meta.get("council_name", "")
    tenant.is_sample = bool(meta.get("is_sample", False))
    tenant.rules = definition.rules
    tenant.calendar = definition.calendar
    tenant.categories = definition.categories
    db.session.flush()
    with tenant_scope(tenant.id):
        _sync_office(tenant)
        _sync_municipalities(tenant, definition.municipalities)
    db.session.flush()
    return tenant


def _sync_office(tenant: Tenant) -> None:
    office = db.session.scalar(sa.select(Organisation).where(Organisation.kind == OrganisationKind.OFFICE))
    if office is None:
        office = Organisation(tenant_id=tenant.id, kind=OrganisationKind.OFFICE, name=tenant.office_name)
        db.session.add(office)
    office.name = f"{tenant.prefecture} {tenant.office_name}"


def _sync_municipalities(tenant: Tenant, rows: list[dict]) -> None:
    existing = {
        o.lg_code: o
        for o in db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY))
    }
    for row in rows:
        org = existing.get(row["lg_code"])
        if org is None:
            org = Organisation(tenant_id=tenant.id, kind=OrganisationKind.MUNICIPALITY, lg_code=row["lg_code"])
            db.session.add(org)
        org.name = row["name"]
        org.kana = row["kana"]
        org.municipality_kind = row["kind"]
        org.district = row["district"]
        org.region = row["region"]
        org.area = row["area"]
        org.is_evacuation_area = row["evacuation_area_12"] == "1"


def tenant_folder(tenants_dir: str, slug: str) -> Path:
    """The folder of `slug` under the configured tenants directory."""
    return Path(tenants_dir) / slug
