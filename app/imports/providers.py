"""Providers import (会員企業・専門家): member companies (`provider_model = company_menu`, name and
よみがな only) or registered experts / the commissioned adviser with their themes (one row per
theme, rows grouped by name; the themes in the file replace the provider's themes, 003:1647).
Upserted by name, never deleted or deactivated. Each value is checked by the rules of 組織管理
(`app.organisations.services.check_values`) and written through its services, so a form and an
import agree and every created or changed provider is audited with its fields."""
from __future__ import annotations

import sqlalchemy as sa

from app.extensions import db
from app.imports.plans import ImportPlan, split_list, template_workbook
from app.imports.readers import Column, SheetRow, read_sheet
from app.menus.states import DeliveryFormat
from app.organisations import services
from app.tenancy.models import Organisation, OrganisationKind

SHEET = "提供者"
NAME_COLUMNS = (Column("name", "名称"), Column("kana", "よみがな", False))
THEME_COLUMNS = (Column("theme", "テーマ", False), Column("categories", "分類", False), Column("format", "実施形式", False))
COLUMNS = NAME_COLUMNS + THEME_COLUMNS
HEADERS = {c.key: c.header for c in COLUMNS}
KIND = OrganisationKind.PROVIDER


def _columns(tenant) -> tuple[Column, ...]:
    return COLUMNS if services.has_themes(tenant) else NAME_COLUMNS


def template(tenant, rows=()):
    """The import template (headers only unless `rows`: lists in the template's column order);
    theme columns only for programs whose providers have themes."""
    help_rows = [("名称", f"{tenant.provider_label}の名称（同じ名称は更新、新しい名称は登録）")]
    if services.has_themes(tenant):
        help_rows += [
            ("テーマ", "登録テーマ1件を1行に。テーマが複数あるときは同じ名称で行を分けてください（ファイルのテーマで置き換えます）"),
            ("分類", "「、」区切り：" + "、".join(c["label"] for c in tenant.categories or [])),
            ("実施形式", "、".join(f.label for f in DeliveryFormat)),
        ]
    return template_workbook(SHEET, _columns(tenant), rows, help_rows)


def _category_codes(tenant) -> dict[str, str]:
    """Label or code → code of the tenant's taxonomy."""
    codes = {c["code"]: c["code"] for c in tenant.categories or []}
    return codes | {c["label"]: c["code"] for c in tenant.categories or []}


FORMATS = {f.value: f.value for f in DeliveryFormat} | {f.label: f.value for f in DeliveryFormat}


def _theme(result: ImportPlan, row: SheetRow, categories: dict[str, str]) -> dict | None:
    v, before = row.values, len(result.errors)
    if not v.get("theme"):
        result.error(row, "theme", HEADERS["theme"], "必須です（登録テーマを1行に1件）")
    elif len(v["theme"]) > services.THEME_TITLE_LIMIT:
        result.error(row, "theme", HEADERS["theme"], f"{services.THEME_TITLE_LIMIT}文字以内にしてください")
    names = split_list(v.get("categories", ""))
    if unknown := [n for n in names if n not in categories]:
        result.error(row, "categories", HEADERS["categories"], f"分類一覧にありません（{'、'.join(unknown)}）")
    if v.get("format", "") not in FORMATS:
        result.error(row, "format", HEADERS["format"], f"次のいずれかにしてください：{'、'.join(f.label for f in DeliveryFormat)}")
    if len(result.errors) > before:
        return None
    return {"title": v["theme"], "categories": list(dict.fromkeys(categories[n] for n in names)), "format": FORMATS[v["format"]]}


def _group(result: ImportPlan, rows: list[SheetRow], tenant) -> dict[str, dict]:
    """Rows by provider name: {"row": first row, "kana", "themes"} (invalid theme rows reported)."""
    themed, categories = services.has_themes(tenant), _category_codes(tenant)
    grouped: dict[str, dict] = {}
    for row in rows:
        name = row.values["name"]
        if not name:
            result.error(row, "name", HEADERS["name"], "必須です")
            continue
        entry = grouped.setdefault(name, {"row": row, "kana": "", "themes": []})
        entry["kana"] = entry["kana"] or row.values.get("kana", "")
        if themed:
            theme = _theme(result, row, categories)
            entry["themes"] += [theme] if theme else []
    return grouped


def plan(workbook, tenant) -> ImportPlan:
    """Validate every row of sheet 「提供者」 and sort each provider into new / updated / unchanged (no writes)."""
    result = ImportPlan(SHEET)
    rows, result.errors = read_sheet(workbook, SHEET, _columns(tenant))
    existing = {o.name: o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.tenant_id == tenant.id, Organisation.kind == KIND))}
    checked = ("name", "kana", "themes") if services.has_themes(tenant) else ("name", "kana")
    for name, entry in _group(result, rows, tenant).items():
        org, row = existing.get(name), entry["row"]
        values = {"name": name, "kana": entry["kana"], **({"themes": entry["themes"]} if "themes" in checked else {})}
        only = ("name", "kana") if len(entry["themes"]) <= services.MAX_THEMES else checked
        for key, message in services.check_values(tenant, KIND, values, exclude_id=org.id if org else None, only=only):
            column = "theme" if key == "themes" else key
            result.error(row, column, HEADERS[column], message)
        same = org is not None and all(getattr(org, k) == v for k, v in values.items())
        result.add("new" if org is None else ("unchanged" if same else "updated"), row, name, values=values)
    _check_single_adviser(result, tenant, existing)
    return result


def _check_single_adviser(result: ImportPlan, tenant, existing: dict[str, Organisation]) -> None:
    """One commissioned adviser at most (003:1605): the active ones after the import."""
    if not services.is_single_adviser(tenant):
        return
    active = {n for n, o in existing.items() if o.is_active} | {c.data["values"]["name"] for c in result.of("new")}
    if len(active) > 1:
        result.errors.append(f"シート『{SHEET}』：委託アドバイザーは1者だけ有効にできます（取り込むと{len(active)}者：{'、'.join(sorted(active))}）")


def apply(result: ImportPlan, tenant, *, actor) -> dict:
    """Create the new providers and update the changed ones through the 組織管理 services (each
    audited); never deletes. Returns the names for the import's audit event."""
    existing = {o.name: o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.tenant_id == tenant.id, Organisation.kind == KIND))}
    written = []
    for change in result.changes:
        values = change.data["values"]
        if change.bucket == "new":
            services.create_organisation(tenant, KIND, values, actor=actor)
        elif change.bucket == "updated":
            services.update_organisation(tenant, existing[values["name"]], values, actor=actor)
        else:
            continue
        written.append(values["name"])
    db.session.flush()
    return {"names": written}
