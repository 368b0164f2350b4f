"""The yearly 事例集 booklet as .xlsx: a cover sheet (tenant, 年度 in 和暦, the survey's
「課題解決につながった」 share) and one row per published case in booklet order, held-back fields
left empty (`app.cases.publication`)."""
from __future__ import annotations

from openpyxl import Workbook

from app.cases.publication import PublicCase
from app.cases.queries import population_label
from app.cases.states import DX_STEPS
from app.core.excel import new_workbook, write_sheet
from app.core.wareki import fiscal_year_label

HEADERS = ("No.", "タイトル", "団体", "DXステップ", "分類", "ポイント", "概要", "成果", "人口", "人口の基準",
           "関連URL", "類似の取組を行っている団体", "年度", "支援メニュー", "会員企業", "課題解決につながったか")


def _solved(value: bool | None) -> str:
    return "" if value is None else ("つながった" if value else "つながらなかった")


def case_row(number: int, pub: PublicCase, tenant) -> list:
    """One booklet row of `pub` (held-back fields are already None)."""
    return [
        number, pub.title, "・".join(pub.organisations), "" if pub.dx_step is None else str(DX_STEPS[pub.dx_step]),
        "・".join(tenant.category_label(c) for c in pub.categories), "\n".join(pub.key_points),
        "\n".join(f"○ {b}" for b in pub.overview), pub.outcomes, population_label(pub.population),
        pub.population_basis, pub.related_url, pub.similar_organisations, fiscal_year_label(pub.fiscal_year),
        pub.menu_item, pub.provider, _solved(pub.survey_solved),
    ]


def booklet_workbook(tenant, fiscal_year: int, cases: list[PublicCase], share_label: str) -> Workbook:
    """The booklet of `fiscal_year`: sheet 「表紙」 and sheet 「事例」 (rows in `cases` order)."""
    workbook = new_workbook()
    cover = [("事業", tenant.name), ("都道府県", tenant.prefecture), ("年度", fiscal_year_label(fiscal_year)),
             ("掲載事例数", len(cases)), ("事後アンケート「課題解決につながった」", share_label)]
    write_sheet(workbook.create_sheet("表紙"), ("項目", "内容"), cover)
    headers = tuple(tenant.provider_label if h == "会員企業" else h for h in HEADERS)  # the tenant's own label
    write_sheet(workbook.create_sheet("事例"), headers, [case_row(i, pub, tenant) for i, pub in enumerate(cases, 1)])
    return workbook
