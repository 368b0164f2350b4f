"""The world of the fuzz test: the isolation world (tests/isolation_fixtures.py) plus objects of
municipality B and provider Q in states whose forms are open, so that posts reach the forms and
services rather than stopping at "not editable now".

The owners of these objects are the isolation world's OWNERS (operator, municipal_B, provider_Q,
reviewer_office): each role posts to its own objects.
"""
from __future__ import annotations

import datetime as dt

from app.applications.models import Application, ApplicationChoice
from app.applications.states import ApplicationState
from app.calls.models import Call
from app.calls.states import CallPhase
from app.cases.states import CaseState
from app.core.clock import today_jst
from app.core.db import utcnow
from app.engagements.states import EngagementState
from app.extensions import db
from app.menus.models import MenuProposal
from app.menus.states import DeliveryFormat, ProposalState
from app.needs.models import NeedsSurveyRound
from app.selection.models import Allocation, Selection
from app.selection.states import SelectionState
from app.tenancy.models import Organisation
from tests.conftest import in_tenant
from tests.isolation_fixtures import World, _add, _case, _engagement, _item, build_world


def build_fuzz_world(app) -> tuple[World, dict[str, list[int]]]:
    """Build the isolation world and the open objects; returns (world, URL parameter -> extra ids)."""
    world = build_world(app)
    extra: dict[str, list[int]] = {}
    with in_tenant(app) as tenant:
        orgs = {key: db.session.get(Organisation, oid) for key, oid in world.organisations.items()}
        _open_call_objects(tenant, orgs, extra)
        _support_objects(tenant, orgs, extra)
        _selection_objects(tenant, orgs, extra)
        _open_needs_round(tenant, extra)
        db.session.commit()
    return world, extra


def _open_call_objects(tenant, orgs, extra) -> None:
    """A call taking proposals (Q's draft proposal) and a call taking applications (B's draft)."""
    proposals = _add(Call(tenant_id=tenant.id, fiscal_year=2028, title="令和10年度募集", phase=CallPhase.PROPOSALS))
    proposal = _add(MenuProposal(tenant_id=tenant.id, call_id=proposals.id, provider_id=orgs["Q"].id, title="Q社の下書き提案",
                                 categories=[], description="下書き", format=DeliveryFormat.ONLINE, state=ProposalState.DRAFT))
    applying = _add(Call(tenant_id=tenant.id, fiscal_year=2027, title="令和9年度募集", phase=CallPhase.APPLICATIONS,
                         menu_published_at=utcnow()))
    item = _item(tenant, applying, orgs["Q"], 1, "Q社の公開メニュー")
    _item(tenant, applying, orgs["P"], 2, "P社の公開メニュー")
    draft = _add(Application(tenant_id=tenant.id, call_id=applying.id, municipality_id=orgs["B"].id,
                             state=ApplicationState.DRAFT, issue="B市の下書きの課題"))
    _add(ApplicationChoice(tenant_id=tenant.id, application_id=draft.id, rank=1, menu_item_id=item.id))
    extra.update(proposal_id=[proposal.id], application_id=[draft.id], call_id=[proposals.id, applying.id])


def _selection_objects(tenant, orgs, extra) -> None:
    """A call in 選定・決定 with B's submitted application allocated in a draft selection (adjustable)."""
    call = _add(Call(tenant_id=tenant.id, fiscal_year=2031, title="令和13年度募集", phase=CallPhase.SELECTION,
                     menu_published_at=utcnow()))
    item = _item(tenant, call, orgs["Q"], 1, "Q社の選定中メニュー")
    application = _add(Application(tenant_id=tenant.id, call_id=call.id, municipality_id=orgs["B"].id,
                                   state=ApplicationState.SUBMITTED, issue="B市の選定中の課題", submitted_at=utcnow()))
    _add(ApplicationChoice(tenant_id=tenant.id, application_id=application.id, rank=1, menu_item_id=item.id))
    selection = _add(Selection(tenant_id=tenant.id, call_id=call.id, state=SelectionState.DRAFT))
    allocation = _add(Allocation(tenant_id=tenant.id, selection_id=selection.id, application_id=application.id,
                                 menu_item_id=item.id, choice_rank=1, pass_no=1, reason="選定"))
    extra["call_id"].append(call.id)
    extra["application_id"].append(application.id)
    extra.update(allocation_id=[allocation.id])


def _support_objects(tenant, orgs, extra) -> None:
    """B's engagements with Q in every open state, and a draft case of a closed one."""
    call = _add(Call(tenant_id=tenant.id, fiscal_year=2029, title="令和11年度募集", phase=CallPhase.SUPPORT,
                     menu_published_at=utcnow()))
    item = _item(tenant, call, orgs["Q"], 1, "Q社の支援テーマ")
    ids = [_engagement(tenant, call, item, orgs, state).id
           for state in (EngagementState.ASSIGNED, EngagementState.ACCEPTED, EngagementState.IN_PROGRESS)]
    closed = _engagement(tenant, call, item, orgs, EngagementState.CLOSED)
    case = _case(tenant, closed, CaseState.DRAFT, "B市の事例（下書き）")
    extra.update(engagement_id=[*ids, closed.id], case_id=[case.id])


def _open_needs_round(tenant, extra) -> None:
    """A needs survey open today (B has not answered), so that needs.answer shows its form."""
    today = today_jst()
    round_ = _add(NeedsSurveyRound(tenant_id=tenant.id, fiscal_year=today.year + 5, opens_on=today - dt.timedelta(days=5),
                                   closes_on=today + dt.timedelta(days=30), reminders=[]))
    extra.update(round_id=[round_.id])
