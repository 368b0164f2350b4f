"""Municipality master import (市町村マスタ): upsert by 全国地方公共団体コード into the tenant's
municipality organisations, with the rules of the tenant loader (`app.tenancy.loader`): valid check
digit, region / area from `rules.region_order` / `rules.area_order`; written by the loader's own
row → organisation code, so a CSV sync and an Excel import agree."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.imports.plans import ImportPlan, template_workbook
from app.imports.readers import Column, SheetRow, read_sheet
from app.tenancy.loader import upsert_municipalities, lg_code_is_valid
from app.tenancy.models import Organisation, OrganisationKind

SHEET = "市町村"
COLUMNS = (
    Column("lg_code", "市町村コード"), Column("name", "市町村名"), Column("kana", "よみがな", False),
    Column("kind", "市町村区分"), Column("district", "郡", False), Column("region", "地域", False),
    Column("area", "地方", False),
)
HEADERS = {c.key: c.header for c in COLUMNS}
# Membership of the tenant's focus group (`Tenant.focus_group_label`): a column headed by that label,
# only for a tenant that names a group (Fukushima: 避難地域12市町村). Stored as `is_evacuation_area`.
GROUP_KEY = "evacuation_area_12"


def columns(tenant) -> tuple[Column, ...]:
    """The columns of the sheet for `tenant`: `COLUMNS`, plus the focus-group column when it has one."""
    label = tenant.focus_group_label
    return COLUMNS + ((Column(GROUP_KEY, label, False),) if label else ())
KINDS = ("市", "町", "村")
FLAGS = {"": "0", "0": "0", "1": "1", "○": "1", "はい": "1", "いいえ": "0"}
LIMITS = {"name": 200, "kana": 200, "district": 40, "region": 20, "area": 20}


def template(tenant, rows=()):
    """The import template (headers only unless `rows`: lists in `COLUMNS` order)."""
    regions = "、".join(tenant.rule("region_order", []) or ["（任意）"])
    areas = "、".join(tenant.rule("area_order", []) or ["（任意）"])
    label = tenant.focus_group_label
    return template_workbook(SHEET, columns(tenant), rows, [
        ("市町村コード", "全国地方公共団体コード6桁（検査数字を含む）。例：072010"),
        ("市町村区分", "市・町・村のいずれか"), ("地域", regions), ("地方", areas),
        *([(label, "該当すれば 1、該当しなければ 0 または空欄")] if label else []),
    ])


def plan(workbook, tenant) -> ImportPlan:
    """Validate every row of sheet 「市町村」 and sort it into new / updated / unchanged (no writes)."""
    result = ImportPlan(SHEET)
    rows, result.errors = read_sheet(workbook, SHEET, columns(tenant))
    existing = {o.lg_code: o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.MUNICIPALITY))}
    names = {o.name: code for code, o in existing.items()}
    seen: set[str] = set()
    for row in rows:
        values = _check(result, row, tenant, seen, names)
        if values is None:
            continue
        seen.add(values["lg_code"])
        names[values["name"]] = values["lg_code"]
        org = existing.get(values["lg_code"])
        bucket = "new" if org is None else ("unchanged" if _same(org, values) else "updated")
        result.add(bucket, row, f"{values['lg_code']} {values['name']}", values=values)
    return result


def _check(result: ImportPlan, row: SheetRow, tenant, seen: set[str], names: dict[str, str]) -> dict | None:
    v, before = dict(row.values), len(result.errors)
    v["lg_code"] = v["lg_code"].zfill(6) if v["lg_code"].isdecimal() else v["lg_code"]
    if not lg_code_is_valid(v["lg_code"]):
        result.error(row, "lg_code", HEADERS["lg_code"], f"6桁の全国地方公共団体コード（検査数字が正しいもの）にしてください（{v['lg_code']}）")
    elif v["lg_code"] in seen:
        result.error(row, "lg_code", HEADERS["lg_code"], f"同じ市町村コードが上の行にもあります（{v['lg_code']}）")
    if not v["name"]:
        result.error(row, "name", HEADERS["name"], "必須です")
    elif names.get(v["name"], v["lg_code"]) != v["lg_code"]:
        result.error(row, "name", HEADERS["name"], f"同じ名前の市町村が別のコードで登録されています（{names[v['name']]}）")
    if v["kind"] not in KINDS:
        result.error(row, "kind", HEADERS["kind"], "市・町・村のいずれかにしてください")
    for key in ("region", "area"):
        order = tenant.rule(f"{key}_order", []) or []
        if order and v.get(key, "") and v[key] not in order:
            result.error(row, key, HEADERS[key], f"次のいずれかにしてください：{'、'.join(order)}")
    for key, limit in LIMITS.items():
        if len(v.get(key, "")) > limit:
            result.error(row, key, HEADERS[key], f"{limit}文字以内にしてください")
    if v.get(GROUP_KEY, "") not in FLAGS:
        result.error(row, GROUP_KEY, tenant.focus_group_label, "1（該当）か 0（非該当）にしてください")
    if len(result.errors) > before:
        return None
    return {key: v.get(key, "") for key in HEADERS} | {GROUP_KEY: FLAGS[v.get(GROUP_KEY, "")]}


def _same(org: Organisation, values: dict) -> bool:
    return (org.name, org.kana, org.municipality_kind, org.district, org.region, org.area, org.is_evacuation_area) == (
        values["name"], values["kana"], values["kind"], values["district"], values["region"], values["area"],
        values[GROUP_KEY] == "1")


def apply(result: ImportPlan, tenant, *, actor) -> dict:
    """Write the new and updated rows (the tenant loader's upsert; never deletes). Returns counts for the audit."""
    rows = [c.data["values"] for c in result.changes if c.bucket != "unchanged"]
    upsert_municipalities(tenant, rows)
    db.session.flush()
    return {"lg_codes": [r["lg_code"] for r in rows]}
