"""Menu items import (支援メニュー項目): the items of a fiscal year's call whose menu is not yet
published, upserted by title. Each row is checked by the provider's own proposal form
(`app.menus.forms.ProposalForm`), so the rules are exactly those of the web form; the call must
exist and its menu must not be published (frozen, digest §10.2). Items are created unnumbered; the
operator publishes the menu as usual, which numbers them."""
from __future__ import annotations

import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.calls.models import Call
from app.core.wareki import fiscal_year_label
from app.extensions import db
from app.imports.plans import ImportPlan, parse_fiscal_year, split_list, template_workbook
from app.imports.readers import Column, SheetRow, provider_header, read_sheet, with_provider_header
from app.menus.forms import ProposalForm
from app.menus.models import MenuItem
from app.menus.queries import tenant_regions
from app.menus.states import DeliveryFormat
from app.tenancy.labels import provider_label
from app.tenancy.models import Organisation, OrganisationKind

SHEET = "支援メニュー"
COLUMNS = (
    Column("fiscal_year", "年度"), Column("title", "件名"), Column("provider", "会員企業名"),
    Column("categories", "分類"), Column("description", "内容"), Column("deliverables", "成果物", False),
    Column("format", "実施形態"), Column("regions_served", "対応地域", False),
    Column("capacity", "対応可能な市町村数"), Column("unit_cost_thousand_yen", "1件あたりの費用（千円）"),
)
HEADERS = {c.key: c.header for c in COLUMNS}
FIELDS = ("title", "categories", "description", "deliverables", "format", "regions_served", "capacity",
          "unit_cost_thousand_yen")


def template(tenant, rows=()):
    """The import template (headers only unless `rows`: lists in `COLUMNS` order)."""
    return template_workbook(SHEET, with_provider_header(COLUMNS), rows, [
        ("年度", "西暦の年度（例 2025）または 令和7年度"),
        (provider_header(), f"登録済みの{provider_label(tenant)}の名称（完全一致）"),
        ("分類", "「、」区切り：" + "、".join(c["label"] for c in tenant.categories or [])),
        ("実施形態", "、".join(f.label for f in DeliveryFormat)),
        ("対応地域", "空欄は全域。「、」区切り：" + "、".join(tenant_regions(tenant))),
    ])


def plan(workbook, tenant) -> ImportPlan:
    """Validate every row of sheet 「支援メニュー」 and sort it into new / updated / unchanged (no writes)."""
    result = ImportPlan(SHEET)
    rows, result.errors = read_sheet(workbook, SHEET, with_provider_header(COLUMNS))
    calls = {c.fiscal_year: c for c in db.session.scalars(sa.select(Call).where(Call.tenant_id == tenant.id))}
    providers = {o.name: o for o in db.session.scalars(
        sa.select(Organisation).where(Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.PROVIDER))}
    items = {(i.call_id, i.title): i for i in db.session.scalars(sa.select(MenuItem).where(MenuItem.tenant_id == tenant.id))}
    regions, seen = tenant_regions(tenant), set()
    for row in rows:
        call = _call(result, row, calls)
        provider = providers.get(row.values["provider"])
        if provider is None:
            result.error(row, "provider", provider_header(), f"{provider_label(tenant)}が見つかりません（{row.values['provider']}）")
        values = _form_values(result, row, tenant, regions)
        if call is None or provider is None or values is None:
            continue
        if (call.id, values["title"]) in seen:
            result.error(row, "title", HEADERS["title"], "同じ年度・件名の行が上にもあります")
            continue
        seen.add((call.id, values["title"]))
        values["provider_id"] = provider.id
        item = items.get((call.id, values["title"]))
        bucket = "new" if item is None else ("unchanged" if _same(item, values) else "updated")
        result.add(bucket, row, f"{fiscal_year_label(call.fiscal_year)} {values['title']}（{provider.name}）",
                   call_id=call.id, item_id=item.id if item else None, values=values)
    return result


def _call(result: ImportPlan, row: SheetRow, calls: dict[int, Call]) -> Call | None:
    fiscal_year = parse_fiscal_year(row.values["fiscal_year"])
    call = calls.get(fiscal_year) if fiscal_year else None
    if fiscal_year is None:
        result.error(row, "fiscal_year", HEADERS["fiscal_year"], f"年度を 2025 や 令和7年度 の形で入力してください（{row.values['fiscal_year']}）")
    elif call is None:
        result.error(row, "fiscal_year", HEADERS["fiscal_year"], f"{fiscal_year_label(fiscal_year)}の募集がありません。先に募集（年度）を作成してください")
    elif call.menu_is_frozen:
        result.error(row, "fiscal_year", HEADERS["fiscal_year"], f"{fiscal_year_label(fiscal_year)}の支援メニューは公開済みのため変更できません")
        return None
    return call


def _form_values(result: ImportPlan, row: SheetRow, tenant, regions: list[str]) -> dict | None:
    """Run the provider's proposal form on the row; its errors become column errors."""
    codes = {c["label"]: c["code"] for c in tenant.categories or []}
    formats = {f.label: f.value for f in DeliveryFormat}
    v = row.values
    data = MultiDict([("title", v["title"]), ("description", v["description"]), ("deliverables", v.get("deliverables", "")),
                      ("format", formats.get(v["format"], v["format"])), ("capacity", v["capacity"]),
                      ("unit_cost_thousand_yen", v["unit_cost_thousand_yen"].replace(",", ""))])
    for label in split_list(v["categories"]):
        data.add("categories", codes.get(label, label))
    for region in split_list(v.get("regions_served", "")):
        data.add("regions_served", region)
    form = ProposalForm(formdata=data, meta={"csrf": False}).set_choices(tenant, regions)
    if form.validate():
        return form.values()
    for name, messages in form.errors.items():
        result.error(row, name, HEADERS[name], " ".join(str(m) for m in messages))
    return None


def _same(item: MenuItem, values: dict) -> bool:
    return all(getattr(item, name) == values[name] for name in (*FIELDS, "provider_id"))


def apply(result: ImportPlan, tenant, *, actor) -> dict:
    """Create the new items (unnumbered, no proposal) and update the changed ones. Returns ids for the audit."""
    created, updated = [], []
    for change in result.changes:
        values = change.data["values"] | {"format": DeliveryFormat(change.data["values"]["format"])}
        if change.bucket == "new":
            item = MenuItem(tenant_id=tenant.id, call_id=change.data["call_id"], **values)
            db.session.add(item)
            created.append(item)
        elif change.bucket == "updated":
            item = db.session.scalar(sa.select(MenuItem).where(MenuItem.tenant_id == tenant.id, MenuItem.id == change.data["item_id"]))
            for name, value in values.items():
                setattr(item, name, value)
            updated.append(item.id)
    db.session.flush()
    return {"created": [i.id for i in created], "updated": updated}
