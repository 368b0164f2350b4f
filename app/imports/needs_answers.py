"""Needs-survey answers import (DX課題把握アンケートの回答), for answers an office kept in
spreadsheets (earlier years, or answers collected on paper). Each row is one municipality's answer
to the round of a fiscal year, validated by `app.needs.services.clean_needs_answer` — the rules of
the web form — and upserted per (round, municipality) through `record_needs_response` (the window
is not checked: the operator records on the municipality's behalf).

A year without a round gets one, dated with the tenant calendar's needs-survey window (tenant.toml
`[calendar].needs_survey`; 1 January–31 March of the year when the calendar names none), through
`save_needs_round`, as the operator would have opened it; the preview says so.

Free text (分類ごとの自由記述): one cell for all categories. A line starting 「分類名：」 (label or
code; full- or half-width colon) starts that category's text, and the lines after it continue it;
lines before the first such prefix belong to the first category of the row.
"""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.calls.services import calendar_windows
from app.calls.states import CallPhase
from app.core.wareki import fiscal_year_label
from app.extensions import db
from app.imports.plans import ImportPlan, parse_fiscal_year, parse_int, split_list, template_workbook
from app.imports.readers import Column, SheetRow, read_sheet
from app.needs.models import NeedsSurveyResponse, NeedsSurveyRound
from app.needs.services import NeedsSurveyError, clean_needs_answer, record_needs_response, save_needs_round
from app.needs.template import NeedsTemplate, NeedsTemplateError, load_needs_template
from app.tenancy.loader import lg_code_is_valid
from app.tenancy.models import Organisation, OrganisationKind

SHEET = "DX課題把握アンケート"
COLUMNS = (
    Column("fiscal_year", "年度"), Column("lg_code", "市町村コード"), Column("municipality", "市町村名", False),
    Column("categories", "課題分類"), Column("maturity", "DXのステップ"), Column("comments", "分類ごとの自由記述", False),
)
HEADERS = {c.key: c.header for c in COLUMNS}


def template(tenant, rows=()):
    """The import template (headers only unless `rows`: lists in `COLUMNS` order)."""
    levels = _levels_help(tenant)
    return template_workbook(SHEET, COLUMNS, rows, [
        ("年度", "アンケート結果を反映する支援メニューの年度（回答受付画面の年度）。西暦（例 2025）または 令和7年度。"
                 "その年度のアンケートがなければ、暦どおりの回答期間で作成します"),
        ("市町村コード", "全国地方公共団体コード6桁。例：072010"),
        ("市町村名", "確認用。記入した場合は市町村コードの市町村名と一致すること"),
        ("課題分類", "「、」または「;」区切りで1つ以上（分類名またはコード）：" + "、".join(c["label"] for c in tenant.categories or [])),
        ("DXのステップ", levels),
        ("分類ごとの自由記述", "任意。「分類名：本文」で始まる行からその分類の記述。分類名のない行は最初の分類の記述になります。"
                         "記述できるのは課題分類に挙げた分類だけです"),
    ])


def _levels_help(tenant) -> str:
    try:
        template_ = load_needs_template(tenant)
    except NeedsTemplateError:
        return "（このテナントではDX課題把握アンケートを使っていません）"
    return "数字または段階名：" + "、".join(f"{value}（{label}）" for value, label in template_.levels)


class _Lookup:
    """Everything a row is checked against, loaded once (a bounded number of queries)."""

    def __init__(self, tenant, template_: NeedsTemplate):
        scoped = Organisation.tenant_id == tenant.id
        self.tenant, self.template = tenant, template_
        self.municipalities = {o.lg_code: o for o in db.session.scalars(
            sa.select(Organisation).where(scoped, Organisation.kind == OrganisationKind.MUNICIPALITY))}
        self.rounds = {r.fiscal_year: r for r in db.session.scalars(
            sa.select(NeedsSurveyRound).where(NeedsSurveyRound.tenant_id == tenant.id))}
        self.responses = {(r.round_id, r.municipality_id): r for r in db.session.scalars(
            sa.select(NeedsSurveyResponse).where(NeedsSurveyResponse.tenant_id == tenant.id))}
        self.categories = {key: c["code"] for c in tenant.categories or [] for key in (c["code"], c["label"])}
        self.seen: set[tuple[int, int]] = set()


def plan(workbook, tenant) -> ImportPlan:
    """Validate every row of sheet 「DX課題把握アンケート」 and sort it into new / updated / unchanged
    (no writes); notes name the rounds that will be created."""
    result = ImportPlan(SHEET)
    try:
        template_ = load_needs_template(tenant)
    except NeedsTemplateError:
        result.errors.append("このテナントではDX課題把握アンケートを使っていません（事業設定の「DX課題把握アンケート」で作成できます）")
        return result
    rows, result.errors = read_sheet(workbook, SHEET, COLUMNS)
    lookup = _Lookup(tenant, template_)
    for row in rows:
        values = _check(result, row, lookup)
        if values is not None:
            _classify(result, row, lookup, values)
    for year in sorted({c.data["fiscal_year"] for c in result.changes} - set(lookup.rounds)):
        opens_on, closes_on = round_window(tenant, year)
        result.notes.append(f"{fiscal_year_label(year)}のDX課題把握アンケートがないため、回答期間 {opens_on:%Y-%m-%d}〜"
                            f"{closes_on:%Y-%m-%d}（暦の設定）で作成します")
    return result


def round_window(tenant, fiscal_year: int) -> tuple[dt.date, dt.date]:
    """The needs-survey window of `fiscal_year` from the tenant calendar, else 1 Jan–31 Mar (JST dates)."""
    window = calendar_windows(tenant, fiscal_year).get(CallPhase.NEEDS_SURVEY)
    return window or (dt.date(fiscal_year, 1, 1), dt.date(fiscal_year, 3, 31))


def _check(result: ImportPlan, row: SheetRow, lookup: _Lookup) -> dict | None:
    v, before = row.values, len(result.errors)
    fiscal_year = parse_fiscal_year(v["fiscal_year"])
    if fiscal_year is None:
        result.error(row, "fiscal_year", HEADERS["fiscal_year"], f"年度を 2025 や 令和7年度 の形で入力してください（{v['fiscal_year']}）")
    municipality = _municipality(result, row, lookup)
    answer = _answer(result, row, lookup)
    if len(result.errors) > before:
        return None
    return {"fiscal_year": fiscal_year, "municipality": municipality, **answer}


def _municipality(result: ImportPlan, row: SheetRow, lookup: _Lookup) -> Organisation | None:
    code = row.values["lg_code"].zfill(6) if row.values["lg_code"].isdecimal() else row.values["lg_code"]
    municipality, name = lookup.municipalities.get(code), row.values.get("municipality", "")
    if not lg_code_is_valid(code):
        result.error(row, "lg_code", HEADERS["lg_code"], f"6桁の全国地方公共団体コードにしてください（{row.values['lg_code']}）")
    elif municipality is None:
        result.error(row, "lg_code", HEADERS["lg_code"], f"市町村コードが見つかりません（{code}）")
    elif name and name != municipality.name:
        result.error(row, "municipality", HEADERS["municipality"], f"市町村コード {code} は「{municipality.name}」です（{name}）")
    return municipality


def _answer(result: ImportPlan, row: SheetRow, lookup: _Lookup) -> dict:
    """Categories, maturity and comments checked by `clean_needs_answer`, each error in its own column."""
    v, levels = row.values, lookup.template.levels
    categories = [lookup.categories.get(item, item) for item in split_list(v["categories"])]
    try:
        categories = clean_needs_answer(lookup.tenant, lookup.template, categories=categories, maturity=levels[0][0], comments={})[0]
    except NeedsSurveyError as exc:
        result.error(row, "categories", HEADERS["categories"], str(exc))
        return {}
    maturity = _maturity(v["maturity"], levels)
    if maturity is None:
        choices = "、".join(f"{value}（{label}）" for value, label in levels)
        result.error(row, "maturity", HEADERS["maturity"], f"次のいずれかにしてください：{choices}（{v['maturity']}）")
        return {}
    try:
        comments = clean_needs_answer(lookup.tenant, lookup.template, categories=categories, maturity=maturity,
                                      comments=_comments(v.get("comments", ""), categories, lookup.categories))[2]
    except NeedsSurveyError as exc:
        result.error(row, "comments", HEADERS["comments"], str(exc))
        return {}
    return {"categories": categories, "maturity": maturity, "comments": comments}


def _maturity(text: str, levels: tuple[tuple[int, str], ...]) -> int | None:
    """A level value from its number ("1"), its label, or the label's head before 「：」 ("ステップ1")."""
    number = parse_int(text, 0, 99)
    for value, label in levels:
        if number == value or text in (label, label.split("：")[0]):
            return value
    return None


def _comments(text: str, categories: list[str], codes: dict[str, str]) -> dict[str, str]:
    """`{code: text}` from the free-text cell (format in the module docstring); unknown prefixes stay text."""
    out: dict[str, list[str]] = {}
    current = categories[0]
    for line in text.splitlines():
        head, sep, rest = line.replace(":", "：", 1).partition("：")
        if sep and head.strip(" \u3000") in codes:
            current, line = codes[head.strip(" \u3000")], rest
        out.setdefault(current, []).append(line)
    return {code: "\n".join(lines).strip() for code, lines in out.items()}


def _classify(result: ImportPlan, row: SheetRow, lookup: _Lookup, v: dict) -> None:
    """New, updated or unchanged against the stored answer; a second row for the same pair is an error."""
    year, municipality = v["fiscal_year"], v["municipality"]
    if (year, municipality.id) in lookup.seen:
        result.error(row, "lg_code", HEADERS["lg_code"], f"同じ年度・市町村の行が上にもあります（{municipality.name}）")
        return
    lookup.seen.add((year, municipality.id))
    round_ = lookup.rounds.get(year)
    stored = lookup.responses.get((round_.id, municipality.id)) if round_ else None
    if stored is None:
        bucket = "new"
    else:
        same = (stored.categories, stored.maturity, stored.comments) == (v["categories"], v["maturity"], v["comments"])
        bucket = "unchanged" if same else "updated"
    label = f"{fiscal_year_label(year)} {municipality.name}（{lookup.template.level_label(v['maturity'])}）"
    result.add(bucket, row, label, fiscal_year=year, municipality_id=municipality.id, categories=v["categories"],
               maturity=v["maturity"], comments=v["comments"])


def apply(result: ImportPlan, tenant, *, actor) -> dict:
    """Create the missing rounds, then record each new or changed answer. Returns ids for the audit."""
    changes = [c for c in result.changes if c.bucket != "unchanged"]
    rounds = {r.fiscal_year: r for r in db.session.scalars(
        sa.select(NeedsSurveyRound).where(NeedsSurveyRound.tenant_id == tenant.id))}
    for year in sorted({c.data["fiscal_year"] for c in changes} - set(rounds)):
        opens_on, closes_on = round_window(tenant, year)
        rounds[year] = save_needs_round(tenant, fiscal_year=year, opens_on=opens_on, closes_on=closes_on, actor=actor)
    written = []
    for change in changes:
        d = change.data
        municipality = db.session.scalar(sa.select(Organisation).where(Organisation.tenant_id == tenant.id,
                                                                       Organisation.id == d["municipality_id"]))
        response = record_needs_response(rounds[d["fiscal_year"]], municipality, actor=actor, categories=d["categories"],
                                         maturity=d["maturity"], comments=d["comments"], check_window=False)
        written.append(response.id)
    return {"responses": written, "rounds": sorted({c.data["fiscal_year"] for c in changes})}
