"""What of a case may be shown publicly: one place that drops the fields a party held back, used
by the public case page, the library search text, the 事例集 booklet (HTML and .xlsx) and the
open-data API — so a held-back field can leak through none of them."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.cases.models import Case
from app.cases.search import normalise
from app.extensions import db
from app.surveys.models import SurveyResponse


@dataclass
class PublicCase:
    """A case as published. A held-back field is None (or empty); `held_back` lists them."""

    id: int
    title: str
    organisations: list[str]
    fiscal_year: int
    menu_item: str
    provider: str | None
    key_points: list[str]
    overview: list[str]
    outcomes: str | None
    dx_step: int | None
    categories: list[str]
    population: int | None
    population_basis: str
    related_url: str | None
    similar_organisations: str | None
    survey_solved: bool | None
    region: str = ""
    area: str = ""
    held_back: set[str] = field(default_factory=set)


def solved_by_engagement(tenant, engagement_ids: list[int]) -> dict[int, bool | None]:
    """`{engagement_id: is_problem_solved}` of the survey responses of those engagements, one query
    (an engagement without a response is absent)."""
    if not engagement_ids:
        return {}
    rows = db.session.execute(sa.select(SurveyResponse.engagement_id, SurveyResponse.is_problem_solved).where(
        SurveyResponse.tenant_id == tenant.id, SurveyResponse.engagement_id.in_(engagement_ids)))
    return dict(rows.all())


def public_case(case: Case, tenant, solved: bool | None, *, include_held: bool = False) -> PublicCase:
    """`case` with the fields either party held back blanked (unless `include_held`, for the
    operator and the two parties reviewing it). `solved` is the survey's 課題解決につながったか."""
    held = set() if include_held else case.held_back
    engagement = case.engagement

    def keep(name, value):
        return None if name in held else value

    return PublicCase(
        id=case.id, title=case.title, organisations=[f"{tenant.prefecture}{engagement.municipality.name}"],
        fiscal_year=case.fiscal_year, menu_item=engagement.menu_item.title, provider=keep("provider", engagement.provider.name),
        key_points=list(case.key_points or []), overview=list(case.overview or []), outcomes=keep("outcomes", case.outcomes),
        dx_step=case.dx_step, categories=list(case.categories or []), population=keep("population", case.population),
        population_basis="" if "population" in held else case.population_basis,
        related_url=keep("related_url", case.related_url),
        similar_organisations=keep("similar_organisations", case.similar_organisations),
        survey_solved=keep("survey_solved", solved), region=engagement.municipality.region,
        area=engagement.municipality.area, held_back=case.held_back,
    )


def public_cases(tenant, cases: list[Case]) -> list[PublicCase]:
    """`public_case` of each of `cases` (held-back fields dropped), with one survey query."""
    solved = solved_by_engagement(tenant, [c.engagement_id for c in cases])
    return [public_case(c, tenant, solved.get(c.engagement_id)) for c in cases]


def search_text_of(case: Case, tenant) -> str:
    """The normalised public text of `case` that the library search matches (held-back fields are
    left out, so a search cannot reveal them)."""
    pub = public_case(case, tenant, None)
    parts = [pub.title, *pub.organisations, pub.menu_item, pub.provider or "", *pub.key_points, *pub.overview,
             pub.outcomes or "", pub.similar_organisations or "", *(tenant.category_label(c) for c in pub.categories)]
    return normalise(" ".join(parts))
