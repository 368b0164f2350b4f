"""Municipality profile (市町村カルテ, issue 5 §3): one municipality's engagements by fiscal year with
menu item, provider and state, its survey answers, its cases, and its applications not selected
with the reason. Visible to the tenant's operator and to that municipality's own staff only.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa

from app.applications.models import Application
from app.applications.states import ApplicationState
from app.auth.models import Role
from app.cases.models import Case
from app.cases.states import CaseState
from app.engagements.models import Engagement
from app.extensions import db
from app.selection.models import Allocation, Selection
from app.selection.states import SelectionState
from app.needs.queries import municipality_needs
from app.needs.template import NeedsTemplateError, load_needs_template, templates_of
from app.surveys.models import SurveyResponse
from app.surveys.states import SurveyKind
from app.surveys.template import survey_versions
from app.tenancy.models import Organisation, OrganisationKind


def can_view_profile(user, municipality: Organisation) -> bool:
    """Operator of the municipality's tenant, or staff of that municipality (others get 404)."""
    if not getattr(user, "is_authenticated", False) or user.tenant_id != municipality.tenant_id:
        return False
    return user.role == Role.OPERATOR or (user.role == Role.MUNICIPAL and user.organisation_id == municipality.id)


def is_municipality(org: Organisation) -> bool:
    """True for a municipality (the profile addresses municipalities only)."""
    return org.kind == OrganisationKind.MUNICIPALITY


@dataclass(frozen=True)
class SurveyAnswer:
    """One answered question: its label (from the tenant's survey template, else the key) and value."""

    label: str
    value: str


@dataclass(frozen=True)
class EngagementEntry:
    """One engagement with its survey answers (empty when not answered) and the cases the viewer may see."""

    engagement: Engagement
    survey: SurveyResponse | None
    answers: list[SurveyAnswer]
    cases: list[Case]


@dataclass(frozen=True)
class NotSelected:
    """An application of the municipality that was not selected, and why (Allocation.reason, or the
    decision reason of a 派遣依頼). `confirmed` is False for a draft selection (shown to the operator only)."""

    application: Application
    reason: str
    confirmed: bool


@dataclass(frozen=True)
class Profile:
    """The profile: `years` is `[(fiscal_year, [EngagementEntry])]`, newest first."""

    municipality: Organisation
    years: list[tuple[int, list[EngagementEntry]]]
    not_selected: list[NotSelected] = field(default_factory=list)
    needs: list = field(default_factory=list)  # [(NeedsSurveyResponse, maturity label)], newest round first

    @property
    def cases(self) -> list[Case]:
        return [c for _, entries in self.years for e in entries for c in e.cases]


def _format(value) -> str:
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return "" if value is None else str(value)


def survey_answers(tenant, response: SurveyResponse | None) -> list[SurveyAnswer]:
    """The answers of `response` in the order and with the labels of the survey version it was
    answered against (keys not in it last, labelled by their key); `[]` when there is no response.
    The versions are loaded once per request (`survey_versions`)."""
    if response is None:
        return []
    template = survey_versions(tenant, [response.questionnaire_version]).get(response.questionnaire_version)
    questionnaire = template.for_kind(response.kind) if template else None
    questions = [(q.key, q.label) for q in questionnaire.questions] if questionnaire else []
    answers = dict(response.answers or {})
    rows = [SurveyAnswer(label, _format(answers.pop(key))) for key, label in questions if key in answers]
    rows += [SurveyAnswer(key, _format(value)) for key, value in answers.items()]
    return [row for row in rows if row.value]


def _visible_cases(cases: list[Case], operator: bool) -> list[Case]:
    # Drafts are the operator's work in progress; the municipality sees its cases once sent for approval.
    return [c for c in cases if operator or c.state != CaseState.DRAFT]


def municipality_profile(tenant, municipality: Organisation, *, operator: bool) -> Profile:
    """The profile of `municipality` in `tenant`; `operator` adds draft cases and draft-selection
    non-selections. Five queries (engagements, surveys, their survey versions, cases, not-selected applications)."""
    engagements = list(db.session.scalars(
        sa.select(Engagement).where(Engagement.tenant_id == tenant.id, Engagement.municipality_id == municipality.id)
        .order_by(Engagement.fiscal_year.desc(), Engagement.id)
    ))
    ids = [e.id for e in engagements]
    surveys = {r.engagement_id: r for r in db.session.scalars(
        sa.select(SurveyResponse).where(SurveyResponse.tenant_id == tenant.id, SurveyResponse.engagement_id.in_(ids),
                                        SurveyResponse.kind == SurveyKind.INITIAL,
                                        SurveyResponse.submitted_at.is_not(None)))} if ids else {}
    cases: dict[int, list[Case]] = {}
    if ids:
        for case in db.session.scalars(sa.select(Case).where(Case.tenant_id == tenant.id, Case.engagement_id.in_(ids))
                                       .order_by(Case.id)):
            cases.setdefault(case.engagement_id, []).append(case)
    survey_versions(tenant, {r.questionnaire_version for r in surveys.values()})  # one query for all the answers
    years: dict[int, list[EngagementEntry]] = {}
    for e in engagements:
        survey = surveys.get(e.id)
        entry = EngagementEntry(e, survey, survey_answers(tenant, survey), _visible_cases(cases.get(e.id, []), operator))
        years.setdefault(e.fiscal_year, []).append(entry)
    return Profile(municipality, list(years.items()), not_selected_applications(tenant, municipality, operator=operator),
                   needs_answers(tenant, municipality))


def needs_answers(tenant, municipality: Organisation) -> list:
    """The municipality's DX課題把握アンケート answers with their maturity label, newest first
    (`[]` when the tenant runs no needs survey)."""
    try:
        template = load_needs_template(tenant)
    except NeedsTemplateError:
        return []
    responses = municipality_needs(tenant, municipality)
    versions = templates_of(tenant, responses)  # each answer with the levels it was given
    return [(r, (versions.get(r.questionnaire_version) or template).level_label(r.maturity)) for r in responses]


def not_selected_applications(tenant, municipality: Organisation, *, operator: bool) -> list[NotSelected]:
    """Applications of `municipality` not selected, newest call first, with the reason: the
    allocation's reason (selection, 001:170) or the 派遣依頼's decision reason. Allocations of a draft
    selection count for the operator only (municipalities learn the result once it is confirmed)."""
    stmt = (
        sa.select(Application, Allocation, Selection.state)
        .outerjoin(Allocation, sa.and_(Allocation.application_id == Application.id, Allocation.tenant_id == tenant.id))
        .outerjoin(Selection, sa.and_(Selection.id == Allocation.selection_id, Selection.tenant_id == tenant.id))
        .where(Application.tenant_id == tenant.id, Application.municipality_id == municipality.id)
        .order_by(Application.call_id.desc(), Application.id)
    )
    result = []
    for application, allocation, selection_state in db.session.execute(stmt):
        if application.state == ApplicationState.NOT_SELECTED:
            reason = allocation.reason if allocation is not None and allocation.reason else application.decision_reason
            result.append(NotSelected(application, reason, True))
        elif (operator and allocation is not None and allocation.menu_item_id is None
              and selection_state == SelectionState.DRAFT):
            result.append(NotSelected(application, allocation.reason, False))
    return result
