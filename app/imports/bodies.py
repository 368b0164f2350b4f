"""Other applicant bodies import (教育委員会・商工会): upsert by kind and name into the tenant's
organisations, for the kinds its `rules.applicant_kinds` accept (003:1643); never deletes or
deactivates. Values are checked by the rules of 組織管理 (`app.organisations.services.check_values`:
name, lengths, region / area from the tenant's lists) and written through its services (each
created or changed body audited with its fields)."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.imports.plans import ImportPlan, template_workbook
from app.imports.readers import Column, SheetRow, read_sheet
from app.organisations import services
from app.organisations.queries import OTHER_BODY_KINDS, managed_kinds
from app.tenancy.models import Organisation, OrganisationKind

SHEET = "申込団体"
COLUMNS = (
    Column("kind", "種別"), Column("name", "名称"), Column("kana", "よみがな", False),
    Column("region", "地域", False), Column("area", "地方", False),
)
HEADERS = {c.key: c.header for c in COLUMNS}


def _accepted(tenant) -> dict[str, OrganisationKind]:
    """Label or code → kind, for the other bodies the tenant accepts."""
    kinds = [k for k in managed_kinds(tenant) if k in OTHER_BODY_KINDS]
    return {k.value: k for k in kinds} | {k.label: k for k in kinds}


def template(tenant, rows=()):
    """The import template (headers only unless `rows`: lists in `COLUMNS` order)."""
    accepted = [k.label for k in managed_kinds(tenant) if k in OTHER_BODY_KINDS]
    return template_workbook(SHEET, COLUMNS, rows, [
        ("種別", "、".join(accepted) if accepted else "この事業の申込団体は市町村だけです（取り込めません）"),
        ("名称", "団体の名称（種別と名称が同じ団体は更新、新しい団体は登録）"),
        ("地域", "、".join(tenant.rule("region_order", []) or ["（任意）"])),
        ("地方", "、".join(tenant.rule("area_order", []) or ["（任意）"])),
    ])


def plan(workbook, tenant) -> ImportPlan:
    """Validate every row of sheet 「申込団体」 and sort it into new / updated / unchanged (no writes)."""
    result = ImportPlan(SHEET)
    rows, result.errors = read_sheet(workbook, SHEET, COLUMNS)
    existing = {(o.kind, o.name): o for o in db.session.scalars(sa.select(Organisation).where(
        Organisation.tenant_id == tenant.id, Organisation.kind.in_(OTHER_BODY_KINDS)))}
    accepted, seen = _accepted(tenant), set()
    for row in rows:
        kind = _kind(result, row, accepted)
        if kind is None:
            continue
        values = {key: row.values.get(key, "") for key in services.BODY_FIELDS}
        org, before = existing.get((kind, values["name"])), len(result.errors)
        for key, message in services.check_values(tenant, kind, values, exclude_id=org.id if org else None):
            result.error(row, key, HEADERS[key], message)
        if (kind, values["name"]) in seen:
            result.error(row, "name", HEADERS["name"], f"同じ種別・名称の団体が上の行にもあります（{values['name']}）")
        if len(result.errors) > before:
            continue
        seen.add((kind, values["name"]))
        same = org is not None and all(getattr(org, k) == v for k, v in values.items())
        result.add("new" if org is None else ("unchanged" if same else "updated"), row, f"{kind.label} {values['name']}",
                   kind=kind.value, values=values)
    return result


def _kind(result: ImportPlan, row: SheetRow, accepted: dict[str, OrganisationKind]) -> OrganisationKind | None:
    kind = accepted.get(row.values["kind"])
    if kind is None:
        allowed = "、".join(k.label for k in dict.fromkeys(accepted.values())) or "（この事業では取り込めません）"
        result.error(row, "kind", HEADERS["kind"], f"次のいずれかにしてください：{allowed}")
    return kind


def apply(result: ImportPlan, tenant, *, actor) -> dict:
    """Create the new bodies and update the changed ones through the 組織管理 services (each
    audited); never deletes. Returns "kind name" labels for the import's audit event."""
    existing = {(o.kind.value, o.name): o for o in db.session.scalars(sa.select(Organisation).where(
        Organisation.tenant_id == tenant.id, Organisation.kind.in_(OTHER_BODY_KINDS)))}
    written = []
    for change in result.changes:
        kind, values = change.data["kind"], change.data["values"]
        if change.bucket == "new":
            services.create_organisation(tenant, OrganisationKind(kind), values, actor=actor)
        elif change.bucket == "updated":
            services.update_organisation(tenant, existing[(kind, values["name"])], values, actor=actor)
        else:
            continue
        written.append(f"{kind}:{values['name']}")
    db.session.flush()
    return {"names": written}
