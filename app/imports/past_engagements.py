"""Past years' engagements import (過去年度の支援実績), so that the 2-year priority (001:170) and the
3-year coverage (001:165) are right from the first day of use.

Each row names a fiscal year, a municipality (全国地方公共団体コード), a menu item title, its provider
and the outcome (終了・中止・辞退). A missing year gets a closed history call, a missing title a menu
item of that call, and each row an engagement through `record_past_engagement` (as `seed/history.py`
does). A row repeating an engagement that exists (same year, municipality and item) is reported as
unchanged, never duplicated. A year whose call is still running is refused.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.calls.models import Call
from app.calls.services import create_call, next_phase, transition_call
from app.calls.states import CallPhase
from app.core.clock import today_jst
from app.core.wareki import fiscal_year_label, fiscal_year_of
from app.engagements.models import Engagement
from app.engagements.services import record_past_engagement
from app.engagements.states import EngagementState
from app.extensions import db
from app.imports.plans import ImportPlan, parse_fiscal_year, parse_int, template_workbook
from app.imports.readers import Column, SheetRow, provider_header, read_sheet, with_provider_header
from app.menus.models import MenuItem
from app.menus.services import publish_menu
from app.tenancy.labels import provider_label
from app.tenancy.loader import lg_code_is_valid
from app.tenancy.models import Organisation, OrganisationKind

SHEET = "過去実績"
COLUMNS = (
    Column("fiscal_year", "年度"), Column("lg_code", "市町村コード"), Column("municipality", "市町村名", False),
    Column("title", "支援メニュー名"), Column("provider", "会員企業名"), Column("state", "状態"),
    Column("unit_cost", "1件あたりの費用（千円）", False),
)
HEADERS = {c.key: c.header for c in COLUMNS}
STATES = (EngagementState.CLOSED, EngagementState.CANCELLED, EngagementState.DECLINED)


def template(tenant, rows=()):
    """The import template (headers only unless `rows`: lists in `COLUMNS` order)."""
    return template_workbook(SHEET, with_provider_header(COLUMNS), rows, [
        ("年度", "過去の年度。西暦（例 2022）または 令和4年度"),
        ("市町村コード", "全国地方公共団体コード6桁。例：072010"), ("市町村名", "確認用（取込には使いません）"),
        (provider_header(), f"登録済みの{provider_label(tenant)}の名称（完全一致）"), ("状態", "、".join(s.label for s in STATES)),
        ("1件あたりの費用（千円）", "支援メニューを新しく作るときの費用。空欄は0"),
    ])


class _Lookup:
    """Everything a row is checked against, loaded once (a bounded number of queries)."""

    def __init__(self, tenant):
        scoped = Organisation.tenant_id == tenant.id
        self.municipalities = {o.lg_code: o for o in db.session.scalars(
            sa.select(Organisation).where(scoped, Organisation.kind == OrganisationKind.MUNICIPALITY))}
        self.providers = {o.name: o for o in db.session.scalars(
            sa.select(Organisation).where(scoped, Organisation.kind == OrganisationKind.PROVIDER))}
        self.calls = {c.fiscal_year: c for c in db.session.scalars(sa.select(Call).where(Call.tenant_id == tenant.id))}
        self.items = {(i.call_id, i.title): i for i in db.session.scalars(sa.select(MenuItem).where(MenuItem.tenant_id == tenant.id))}
        self.engagements = set(db.session.execute(sa.select(Engagement.fiscal_year, Engagement.municipality_id, Engagement.menu_item_id)
                                                  .where(Engagement.tenant_id == tenant.id)).tuples())
        self.current_year = fiscal_year_of(today_jst())
        self.new_items: dict[tuple[int, str], int] = {}  # (fiscal year, title) -> provider id
        self.seen: set[tuple[int, int, str]] = set()


def plan(workbook, tenant) -> ImportPlan:
    """Validate every row of sheet 「過去実績」 and sort it into new / unchanged (duplicates) (no writes)."""
    result = ImportPlan(SHEET)
    rows, result.errors = read_sheet(workbook, SHEET, with_provider_header(COLUMNS))
    lookup = _Lookup(tenant)
    for row in rows:
        values = _check(result, row, lookup)
        if values is not None:
            _classify(result, row, lookup, values)
    years = sorted({c.data["fiscal_year"] for c in result.of("new")} - set(lookup.calls))
    result.notes += [f"{fiscal_year_label(y)}の募集を終了済みの過去年度として作成します" for y in years]
    result.notes += [f"支援メニュー「{t}」を{fiscal_year_label(y)}に追加します" for y, t in lookup.new_items]
    return result


def _check(result: ImportPlan, row: SheetRow, lookup: _Lookup) -> dict | None:
    v, before = row.values, len(result.errors)
    fiscal_year = parse_fiscal_year(v["fiscal_year"])
    call = lookup.calls.get(fiscal_year)
    if fiscal_year is None:
        result.error(row, "fiscal_year", HEADERS["fiscal_year"], f"年度を 2022 や 令和4年度 の形で入力してください（{v['fiscal_year']}）")
    elif call is not None and call.phase != CallPhase.CLOSED:
        result.error(row, "fiscal_year", HEADERS["fiscal_year"], f"{fiscal_year_label(fiscal_year)}の募集は終了していないため、過去実績として登録できません")
    elif call is None and fiscal_year >= lookup.current_year:
        result.error(row, "fiscal_year", HEADERS["fiscal_year"], f"過去の年度を入力してください（{fiscal_year_label(fiscal_year)}）")
    code = v["lg_code"].zfill(6) if v["lg_code"].isdecimal() else v["lg_code"]
    municipality = lookup.municipalities.get(code)
    if not lg_code_is_valid(code):
        result.error(row, "lg_code", HEADERS["lg_code"], f"6桁の全国地方公共団体コードにしてください（{v['lg_code']}）")
    elif municipality is None:
        result.error(row, "lg_code", HEADERS["lg_code"], f"市町村コードが見つかりません（{code}）")
    provider = lookup.providers.get(v["provider"])
    if provider is None:
        result.error(row, "provider", provider_header(), f"{provider_label()}が見つかりません（{v['provider']}）")
    if not v["title"] or len(v["title"]) > 200:
        result.error(row, "title", HEADERS["title"], "200文字以内で入力してください")
    state = next((s for s in STATES if v["state"] in (s.label, s.value)), None)
    if state is None:
        result.error(row, "state", HEADERS["state"], "、".join(s.label for s in STATES) + " のいずれかにしてください")
    cost = parse_int(v.get("unit_cost", "") or "0", 0, 10_000_000)
    if cost is None:
        result.error(row, "unit_cost", HEADERS["unit_cost"], "0以上の整数（千円）で入力してください")
    if len(result.errors) > before:
        return None
    return {"fiscal_year": fiscal_year, "call": call, "municipality": municipality, "provider": provider,
            "title": v["title"], "state": state, "unit_cost": cost}


def _classify(result: ImportPlan, row: SheetRow, lookup: _Lookup, v: dict) -> None:
    """Check the item's provider, then new or duplicate (in the database or above in the sheet)."""
    fiscal_year, title, provider, municipality = v["fiscal_year"], v["title"], v["provider"], v["municipality"]
    item = lookup.items.get((v["call"].id, title)) if v["call"] else None
    owner = item.provider_id if item else lookup.new_items.setdefault((fiscal_year, title), provider.id)
    if owner != provider.id:
        result.error(row, "provider", provider_header(),
                     f"{fiscal_year_label(fiscal_year)}の支援メニュー「{title}」は別の{provider_label()}の項目です")
        return
    label = f"{fiscal_year_label(fiscal_year)} {municipality.name} {title}（{provider.name}・{v['state'].label}）"
    key = (fiscal_year, municipality.id, title)
    if key in lookup.seen or (item and (fiscal_year, municipality.id, item.id) in lookup.engagements):
        result.add("unchanged", row, label + " … 登録済みのため取り込みません")
        return
    lookup.seen.add(key)
    result.add("new", row, label, fiscal_year=fiscal_year, municipality_id=municipality.id, provider_id=provider.id,
               title=title, state=v["state"].value, unit_cost=v["unit_cost"])


def apply(result: ImportPlan, tenant, *, actor) -> dict:
    """Create the missing history calls and menu items, then one engagement per new row. Returns ids for the audit."""
    changes = result.of("new")
    calls = {y: _history_call(tenant, y, [c for c in changes if c.data["fiscal_year"] == y], actor)
             for y in sorted({c.data["fiscal_year"] for c in changes})}
    created = []
    for change in changes:
        d = change.data
        call = calls[d["fiscal_year"]]
        item = _item(tenant, call, d)
        municipality = db.session.scalar(sa.select(Organisation).where(Organisation.tenant_id == tenant.id,
                                                                       Organisation.id == d["municipality_id"]))
        engagement = record_past_engagement(call=call, municipality=municipality, menu_item=item, actor=actor,
                                            state=EngagementState(d["state"]))
        created.append(engagement.id)
    return {"engagements": created, "calls": sorted(calls)}


def _history_call(tenant, fiscal_year: int, changes, actor) -> Call:
    """The call of `fiscal_year`: an existing (closed) one, or a new one walked through every phase to 終了,
    its menu holding the titles of `changes` (published on the way, as the phase guards require)."""
    call = db.session.scalar(sa.select(Call).where(Call.tenant_id == tenant.id, Call.fiscal_year == fiscal_year))
    if call is not None:
        return call
    call = create_call(tenant, fiscal_year=fiscal_year, budget_thousand_yen=0, actor=actor)
    while call.phase != CallPhase.CLOSED:
        if call.phase == CallPhase.MENU_REVIEW:
            for change in changes:
                _item(tenant, call, change.data)
            publish_menu(call, actor=actor)
        transition_call(call, next_phase(call), actor=actor, note="過去実績の取込")
    return call


def _item(tenant, call: Call, data: dict) -> MenuItem:
    """The item titled `data["title"]` of `call`, created (numbered after the last) if missing."""
    items = list(db.session.scalars(sa.select(MenuItem).where(MenuItem.tenant_id == tenant.id, MenuItem.call_id == call.id)))
    item = next((i for i in items if i.title == data["title"]), None)
    if item is None:
        number = None if call.menu_published_at is None else max((i.number or 0 for i in items), default=0) + 1
        item = MenuItem(tenant_id=tenant.id, call_id=call.id, provider_id=data["provider_id"], title=data["title"],
                        number=number, unit_cost_thousand_yen=data["unit_cost"], description="過去実績から取込")
        db.session.add(item)
        db.session.flush()
    return item
