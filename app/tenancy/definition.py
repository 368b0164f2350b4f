"""The core section of a tenant definition (`tenants/<slug>/`): tenant.toml (identity, contact
details, rules, calendar, notices), categories.csv, municipalities.csv and, where the tenant has
them, the other applicant bodies and the registered experts / adviser.

Three operations on a parsed `TenantDefinition` (`app.tenancy.loader.read_definition`):
`apply_definition` writes it into a new or empty tenant, `definition_differences` lists where the
database differs from it (only for what the files name: organisations the files do not name are
not differences), and `write_definition` writes a tenant back as files.
"""
from __future__ import annotations

import csv
import json
from pathlib import Path

import sqlalchemy as sa
import tomli_w

from app.extensions import db
from app.tenancy.loader import BODY_COLUMNS, MUNICIPALITY_COLUMNS, TenantDefinition, upsert_municipalities
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from app.tenancy.schema import Contact, Notices, Rules
from app.tenancy.scoping import tenant_scope

IDENTITY = ("name", "prefecture", "office_name", "council_name", "provider_label", "is_sample")
MUNICIPALITY_FIELDS = {"name": "name", "kana": "kana", "kind": "municipality_kind", "district": "district",
                       "region": "region", "area": "area"}
BODIES_FILE, PROVIDERS_FILE = "bodies.csv", "providers.csv"


def apply_definition(tenant: Tenant, definition: TenantDefinition, actor=None) -> None:
    """Write `definition` into `tenant` (new, or one without organisations): identity, contact
    details, rules (with `notices`), calendar, categories, the program office, municipalities, other
    applicant bodies and providers. Flushes; never deletes."""
    meta = definition.meta
    for key in IDENTITY:
        setattr(tenant, key, meta.get(key, "") if key != "is_sample" else bool(meta.get(key)))
    tenant.provider_label = meta.get("provider_label") or "会員企業"
    tenant.profile = dict(meta.get("contact") or {})
    tenant.rules = {**definition.rules, "notices": definition.notices}
    tenant.calendar = definition.calendar
    tenant.categories = definition.categories
    db.session.add(tenant)
    db.session.flush()
    with tenant_scope(tenant.id):
        _apply_office(tenant)
        upsert_municipalities(tenant, definition.municipalities)
        existing = _organisations(tenant)
        for row in definition.bodies:
            org = _get(existing, tenant, OrganisationKind(row["kind"]), row["name"], row["name"])
            org.kana, org.region, org.area = row["kana"], row["region"], row["area"]
            org.is_sample = tenant.is_sample or row.get("is_sample", "0") == "1"
        for entry in definition.providers:
            org = _get(existing, tenant, OrganisationKind.PROVIDER, entry["name"], entry["name"])
            org.kana, org.themes = entry["kana"], entry["themes"]
            org.is_sample = tenant.is_sample or entry["is_sample"]
    db.session.flush()


def _apply_office(tenant: Tenant) -> None:
    office = db.session.scalar(sa.select(Organisation).where(Organisation.tenant_id == tenant.id,
                                                             Organisation.kind == OrganisationKind.OFFICE))
    if office is None:
        office = Organisation(tenant_id=tenant.id, kind=OrganisationKind.OFFICE, name="")
        db.session.add(office)
    office.name = f"{tenant.prefecture} {tenant.office_name}"


def _organisations(tenant: Tenant) -> dict[tuple, Organisation]:
    """`{(kind, key): organisation}`: municipalities keyed by lg_code, the others by name."""
    rows = db.session.scalars(sa.select(Organisation).where(Organisation.tenant_id == tenant.id))
    return {(o.kind, o.lg_code if o.kind == OrganisationKind.MUNICIPALITY else o.name): o for o in rows}


def _get(existing: dict, tenant: Tenant, kind: OrganisationKind, key: str, name: str) -> Organisation:
    """The organisation of `kind` keyed `key` (its name), created when absent."""
    org = existing.get((kind, key))
    if org is None:
        org = Organisation(tenant_id=tenant.id, kind=kind, name=name)
        db.session.add(org)
        existing[(kind, key)] = org
    return org


def _show(value) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return "（なし）" if value in (None, "") else str(value)


def _diff(out: list[str], label: str, in_file, in_db) -> None:
    if in_file != in_db:
        out.append(f"{label}: ファイル {_show(in_file)} / データベース {_show(in_db)}")


def stored_rules(tenant: Tenant) -> dict:
    """The tenant's rules as the schema fills them (every key of `Rules`, defaults for absent ones)."""
    data = {k: v for k, v in (tenant.rules or {}).items() if k != "notices"}
    return Rules.model_validate(data).model_dump()


def definition_differences(tenant: Tenant, definition: TenantDefinition) -> list[str]:
    """Where `tenant` differs from `definition`, one Japanese line each, e.g.
    `rules.max_choices: ファイル 3 / データベース 4` or `市町村 072010 name: ファイル 福島市 / データベース …`.
    Organisations the definition does not name are not differences."""
    out: list[str] = []
    meta = definition.meta
    for key in IDENTITY:
        _diff(out, key, meta.get(key, "") if key != "is_sample" else bool(meta.get(key)), getattr(tenant, key))
    stored_contact = Contact.model_validate(tenant.profile or {}).model_dump()
    for key, value in (meta.get("contact") or {}).items():
        _diff(out, f"contact.{key}", value, stored_contact.get(key))
    rules = stored_rules(tenant)
    for key, value in definition.rules.items():
        _diff(out, f"rules.{key}", value, rules.get(key))
    notices = Notices.model_validate((tenant.rules or {}).get("notices") or {}).model_dump()
    for key, value in definition.notices.items():
        _diff(out, f"notices.{key}", value, notices.get(key))
    if definition.rules["call_model"] == "annual":
        _diff(out, "calendar", definition.calendar, tenant.calendar or {})
    _diff(out, "categories（DX分類）", definition.categories, tenant.categories or [])
    with tenant_scope(tenant.id):
        out += _organisation_differences(tenant, definition)
    return out


def _organisation_differences(tenant: Tenant, definition: TenantDefinition) -> list[str]:
    out: list[str] = []
    existing = _organisations(tenant)
    for row in definition.municipalities:
        org = existing.get((OrganisationKind.MUNICIPALITY, row["lg_code"]))
        if org is None:
            out.append(f"市町村 {row['lg_code']}: データベースにありません（ファイル {row['name']}）")
            continue
        for column, attr in MUNICIPALITY_FIELDS.items():
            _diff(out, f"市町村 {row['lg_code']} {column}", row[column], getattr(org, attr))
        _diff(out, f"市町村 {row['lg_code']} evacuation_area_12", row["evacuation_area_12"] == "1", org.is_evacuation_area)
        _diff(out, f"市町村 {row['lg_code']} is_sample", tenant.is_sample or row.get("is_sample", "0") == "1", org.is_sample)
    for row in definition.bodies:
        org = existing.get((OrganisationKind(row["kind"]), row["name"]))
        if org is None:
            out.append(f"団体 {row['name']}: データベースにありません")
            continue
        for column in ("kana", "region", "area"):
            _diff(out, f"団体 {row['name']} {column}", row[column], getattr(org, column))
    for entry in definition.providers:
        org = existing.get((OrganisationKind.PROVIDER, entry["name"]))
        if org is None:
            out.append(f"提供者 {entry['name']}: データベースにありません")
            continue
        _diff(out, f"提供者 {entry['name']} kana", entry["kana"], org.kana)
        _diff(out, f"提供者 {entry['name']} themes", entry["themes"], org.themes or [])
    return out


def _without_none(value):
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def write_definition(tenant: Tenant, folder: Path) -> list[str]:
    """Write `tenant` as tenant.toml, categories.csv, municipalities.csv and, where it has them,
    bodies.csv and providers.csv (experts / adviser with themes; member companies of a
    `company_menu` program have no file). Returns the file names written."""
    with tenant_scope(tenant.id):
        orgs = list(db.session.scalars(sa.select(Organisation).where(Organisation.tenant_id == tenant.id)
                                       .order_by(Organisation.id)))
    municipalities = [o for o in orgs if o.kind == OrganisationKind.MUNICIPALITY]
    bodies = [o for o in orgs if o.kind in (OrganisationKind.BOARD_OF_EDUCATION, OrganisationKind.CHAMBER_OF_COMMERCE)]
    rules = stored_rules(tenant)
    providers = [o for o in orgs if o.kind == OrganisationKind.PROVIDER and o.themes] \
        if rules["provider_model"] != "company_menu" else []
    doc = {key: getattr(tenant, key) for key in ("slug",) + IDENTITY}
    doc |= {"categories_file": "categories.csv", "municipalities_file": "municipalities.csv"}
    if bodies:
        doc["bodies_file"] = BODIES_FILE
    if providers:
        doc["providers_file"] = PROVIDERS_FILE
    doc["contact"] = Contact.model_validate(tenant.profile or {}).model_dump()
    doc["rules"] = _without_none(rules)
    if tenant.calendar and rules["call_model"] == "annual":  # other programs have no calendar (schema)
        doc["calendar"] = tenant.calendar
    doc["notices"] = Notices.model_validate((tenant.rules or {}).get("notices") or {}).model_dump()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tenant.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
    _csv(folder / "categories.csv", ("code", "label"), [(c["code"], c["label"]) for c in tenant.categories or []])
    _csv(folder / "municipalities.csv", MUNICIPALITY_COLUMNS + ("is_sample",), [
        (o.lg_code, o.name, o.kana, o.municipality_kind, o.district, o.region, o.area,
         int(o.is_evacuation_area), int(o.is_sample)) for o in municipalities])
    written = ["tenant.toml", "categories.csv", "municipalities.csv"]
    if bodies:
        _csv(folder / BODIES_FILE, BODY_COLUMNS + ("is_sample",),
             [(o.kind.value, o.name, o.kana, o.region, o.area, int(o.is_sample)) for o in bodies])
        written.append(BODIES_FILE)
    if providers:
        _csv(folder / PROVIDERS_FILE, ("name", "kana", "theme", "categories", "format", "is_sample"), [
            (o.name, o.kana, t["title"], " ".join(t["categories"]), t["format"], int(o.is_sample))
            for o in providers for t in o.themes])
        written.append(PROVIDERS_FILE)
    return written


def _csv(path: Path, header: tuple, rows: list) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
