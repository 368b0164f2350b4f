"""Needs-survey read side: rounds, who has not answered, a municipality's answers (市町村カルテ)
and the de-identified summary that providers and reviewers may see."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from app.extensions import db
from app.needs.models import NeedsSurveyResponse, NeedsSurveyRound
from app.needs.template import load_needs_template, templates_of
from app.tenancy.models import Organisation, OrganisationKind

# Small-cell suppression: a count of 1 or 2 municipalities is not shown. In a region of a few
# towns, "2 municipalities of 南会津 chose AI" plus public knowledge can point to the bodies and
# their self-assessed weaknesses (re-identification of small cells), which the answers were not
# given for. Free text is never part of the summary for the same reason.
MIN_CELL = 3


@dataclass(frozen=True)
class Cell:
    """A count of municipalities; `label` hides counts 1–2 (MIN_CELL)."""

    count: int

    @property
    def is_suppressed(self) -> bool:
        return 0 < self.count < MIN_CELL

    @property
    def label(self) -> str:
        return _("3団体未満") if self.is_suppressed else str(self.count)


@dataclass(frozen=True)
class RegionRow:
    """Respondents of one region and the categories at least MIN_CELL of them chose."""

    region: str
    respondents: Cell
    top_categories: list[tuple[str, int]]


@dataclass(frozen=True)
class NeedsSummary:
    """Counts only: no municipality names, contacts or comments."""

    fiscal_year: int
    respondents: int
    municipalities: int
    by_category: list[tuple[str, Cell]]
    by_maturity: list[tuple[str, Cell]]
    by_region: list[RegionRow]


def rounds(tenant) -> list[NeedsSurveyRound]:
    """The tenant's rounds, newest fiscal year first."""
    return list(db.session.scalars(sa.select(NeedsSurveyRound).where(NeedsSurveyRound.tenant_id == tenant.id)
                                   .order_by(NeedsSurveyRound.fiscal_year.desc())))


def round_of_year(tenant, fiscal_year: int | None) -> NeedsSurveyRound | None:
    """The round of `fiscal_year`, or the newest round when None."""
    stmt = sa.select(NeedsSurveyRound).where(NeedsSurveyRound.tenant_id == tenant.id)
    if fiscal_year is not None:
        stmt = stmt.where(NeedsSurveyRound.fiscal_year == fiscal_year)
    return db.session.scalar(stmt.order_by(NeedsSurveyRound.fiscal_year.desc()).limit(1))


def _municipalities(tenant) -> list[Organisation]:
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.MUNICIPALITY,
        Organisation.is_active.is_(True)).order_by(Organisation.lg_code)))


def _responses(round_: NeedsSurveyRound) -> list[NeedsSurveyResponse]:
    return list(db.session.scalars(sa.select(NeedsSurveyResponse).where(
        NeedsSurveyResponse.tenant_id == round_.tenant_id, NeedsSurveyResponse.round_id == round_.id)))


def answer_status(tenant, round_: NeedsSurveyRound) -> tuple[list[NeedsSurveyResponse], list[Organisation]]:
    """`(responses, non_respondents)` of `round_` (operator only): active municipalities without an
    answer, by 全国地方公共団体コード. Two queries."""
    responses = sorted(_responses(round_), key=lambda r: r.municipality.lg_code or "")
    answered = {r.municipality_id for r in responses}
    return responses, [m for m in _municipalities(tenant) if m.id not in answered]


def needs_summary(tenant, round_: NeedsSurveyRound) -> NeedsSummary:
    """The de-identified summary of `round_`: respondents, municipalities chosen per category (in
    taxonomy order), per maturity level, and per region (respondents, categories chosen by at least
    MIN_CELL of them). Cells of 1–2 municipalities are suppressed (see MIN_CELL)."""
    responses, template = _responses(round_), load_needs_template(tenant)
    categories = Counter(code for r in responses for code in r.categories)
    maturity = Counter(r.maturity for r in responses)
    regions: dict[str, list[NeedsSurveyResponse]] = {}
    for r in responses:
        regions.setdefault(r.municipality.region or _("（地域未設定）"), []).append(r)
    region_rows = []
    for region in sorted(regions):
        counts = Counter(code for r in regions[region] for code in r.categories)
        top = [(tenant.category_label(c), n) for c, n in counts.most_common() if n >= MIN_CELL and len(regions[region]) >= MIN_CELL]
        region_rows.append(RegionRow(region, Cell(len(regions[region])), top[:5]))
    return NeedsSummary(
        round_.fiscal_year, len(responses), len(_municipalities(tenant)),
        [(c["label"], Cell(categories[c["code"]])) for c in tenant.categories or []],
        _maturity_rows(tenant, template, responses, maturity), region_rows)


def _maturity_rows(tenant, template, responses, maturity: Counter) -> list[tuple[str, Cell]]:
    """The current version's levels, then levels answered only under an earlier version (labelled
    as they were asked, so that no answer drops out of the count)."""
    rows = [(label, Cell(maturity[value])) for value, label in template.levels]
    current = {value for value, _label in template.levels}
    older = templates_of(tenant, [r for r in responses if r.maturity not in current])
    extra: dict[int, str] = {}
    for r in responses:
        if r.maturity not in current and r.maturity not in extra:
            old = older.get(r.questionnaire_version)
            extra[r.maturity] = (old.level_label(r.maturity) if old else "") or str(r.maturity)
    return rows + [(extra[value], Cell(maturity[value])) for value in sorted(extra)]


def municipality_needs(tenant, municipality: Organisation) -> list[NeedsSurveyResponse]:
    """`municipality`'s needs-survey answers, newest round first (for the 市町村カルテ)."""
    return sorted(db.session.scalars(sa.select(NeedsSurveyResponse).where(
        NeedsSurveyResponse.tenant_id == tenant.id, NeedsSurveyResponse.municipality_id == municipality.id)),
        key=lambda r: -r.round.fiscal_year)
