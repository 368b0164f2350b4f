"""Survey read-side: one engagement's response, and the yearly results the operator reads
(product.md §6: per year, menu item and provider; share 課題解決につながった; non-respondents)."""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.orm import aliased

from app.core.clock import today_jst
from app.engagements.models import Engagement
from app.extensions import db
from app.menus.models import MenuItem
from app.surveys.models import SurveyRequest, SurveyResponse
from app.surveys.permissions import ANSWERABLE_STATES
from app.surveys.states import RequestStatus, SurveyKind
from app.tenancy.models import Organisation


@dataclass
class Share:
    """`solved` of `answered` responses said 課題解決につながった (001:195)."""

    solved: int = 0
    answered: int = 0

    @property
    def percent(self) -> int | None:
        """Rounded half up; None without answers."""
        return (200 * self.solved + self.answered) // (2 * self.answered) if self.answered else None

    @property
    def label(self) -> str:
        """e.g. 「20件中20件（100%）」, or 「—」 without answers."""
        if not self.answered:
            return "—"
        return _("%(answered)d件中%(solved)d件（%(percent)d%%）", answered=self.answered, solved=self.solved, percent=self.percent)


@dataclass
class Tally:
    """Completed engagements, responses and the solved share of one group (year, item, provider);
    `follow_up` is the share of the follow-up survey (FY+1) of the same engagements."""

    label: str = ""
    completed: int = 0
    responses: int = 0
    share: Share = field(default_factory=Share)
    follow_up: Share = field(default_factory=Share)

    def add(self, responded: bool, solved: bool | None, follow_up_solved: bool | None = None) -> None:
        self.completed += 1
        self.responses += int(responded)
        for share, value in ((self.share, solved), (self.follow_up, follow_up_solved)):
            if value is not None:
                share.answered += 1
                share.solved += int(value)


@dataclass
class NonRespondent:
    """A completed engagement whose municipality has not answered yet, with its request (None
    until the request is created) and the request's time-derived status."""

    engagement_id: int
    municipality: str
    menu_item: str
    request: SurveyRequest | None = None
    status: RequestStatus = RequestStatus.UNANSWERED


@dataclass
class SurveyResults:
    """The results of one fiscal year."""

    fiscal_year: int
    total: Tally
    by_menu_item: list[Tally]
    by_provider: list[Tally]
    non_respondents: list[NonRespondent]


def response_of(engagement) -> SurveyResponse | None:
    """The survey response of `engagement`, or None."""
    return db.session.scalar(sa.select(SurveyResponse).where(
        SurveyResponse.engagement_id == engagement.id, SurveyResponse.tenant_id == engagement.tenant_id,
        SurveyResponse.kind == SurveyKind.INITIAL))


def follow_up_response_of(engagement) -> SurveyResponse | None:
    """The follow-up survey response (FY+1) of `engagement`, or None."""
    return db.session.scalar(sa.select(SurveyResponse).where(
        SurveyResponse.engagement_id == engagement.id, SurveyResponse.tenant_id == engagement.tenant_id,
        SurveyResponse.kind == SurveyKind.FOLLOW_UP))


def survey_fiscal_years(tenant) -> list[int]:
    """Fiscal years with COMPLETED or CLOSED engagements, newest first."""
    return list(db.session.scalars(sa.select(Engagement.fiscal_year).where(
        Engagement.tenant_id == tenant.id, Engagement.state.in_(ANSWERABLE_STATES)).distinct()
        .order_by(Engagement.fiscal_year.desc())))


def _item_label(number: int | None, title: str) -> str:
    return f"No.{number} {title}" if number else title


def _response_join(alias, kind: SurveyKind):
    return sa.and_(alias.engagement_id == Engagement.id, alias.kind == kind)


def survey_results(tenant, fiscal_year: int, today=None) -> SurveyResults:
    """Aggregate the surveys of `fiscal_year` in one query over COMPLETED/CLOSED engagements, with
    the follow-up share beside the first; non-respondents carry their request and status on `today`.

    Groups are ordered by menu number and provider name; non-respondents by 全国地方公共団体コード.
    """
    today = today or today_jst()
    provider, muni = aliased(Organisation), aliased(Organisation)
    first, second = aliased(SurveyResponse), aliased(SurveyResponse)
    stmt = (
        sa.select(Engagement.id, MenuItem.id, MenuItem.number, MenuItem.title, provider.id, provider.name,
                  muni.name, first.id, first.is_problem_solved, second.is_problem_solved, SurveyRequest)
        .join(MenuItem, MenuItem.id == Engagement.menu_item_id)
        .join(provider, provider.id == Engagement.provider_id)
        .join(muni, muni.id == Engagement.municipality_id)
        .outerjoin(first, _response_join(first, SurveyKind.INITIAL))
        .outerjoin(second, _response_join(second, SurveyKind.FOLLOW_UP))
        .outerjoin(SurveyRequest, sa.and_(SurveyRequest.engagement_id == Engagement.id,
                                          SurveyRequest.kind == SurveyKind.INITIAL))
        .where(Engagement.tenant_id == tenant.id, Engagement.fiscal_year == fiscal_year,
               Engagement.state.in_(ANSWERABLE_STATES))
        .order_by(muni.lg_code, Engagement.id)
    )
    total, items, providers, missing = Tally(), {}, {}, []
    for eid, item_id, number, title, prov_id, prov_name, muni_name, response_id, solved, later, req in db.session.execute(stmt):
        responded = response_id is not None
        total.add(responded, solved, later)
        items.setdefault((number or 0, item_id), Tally(_item_label(number, title))).add(responded, solved, later)
        providers.setdefault((prov_name, prov_id), Tally(prov_name)).add(responded, solved, later)
        if not responded:
            status = req.status(today) if req is not None else RequestStatus.UNANSWERED
            missing.append(NonRespondent(eid, muni_name, _item_label(number, title), req, status))
    return SurveyResults(fiscal_year, total, [items[k] for k in sorted(items)],
                         [providers[k] for k in sorted(providers)], missing)


def count_surveys_to_answer(user, tenant) -> int:
    """COMPLETED/CLOSED engagements of the user's municipality without a survey response."""
    stmt = (
        sa.select(sa.func.count(Engagement.id))
        .outerjoin(SurveyResponse, _response_join(SurveyResponse, SurveyKind.INITIAL))
        .where(Engagement.tenant_id == tenant.id, Engagement.municipality_id == user.organisation_id,
               Engagement.state.in_(ANSWERABLE_STATES), SurveyResponse.id.is_(None))
    )
    return db.session.scalar(stmt) or 0


def follow_up_requests_to_answer(user, tenant) -> list[SurveyRequest]:
    """Unanswered follow-up requests of the user's municipality (the engagement page links them)."""
    return list(db.session.scalars(
        sa.select(SurveyRequest).join(Engagement, Engagement.id == SurveyRequest.engagement_id)
        .where(SurveyRequest.tenant_id == tenant.id, SurveyRequest.kind == SurveyKind.FOLLOW_UP,
               SurveyRequest.answered_at.is_(None), Engagement.municipality_id == user.organisation_id)
        .order_by(SurveyRequest.id)))
