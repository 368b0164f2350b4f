"""Arrange helpers for the cases tests."""
from __future__ import annotations

from app.applications.models import Application
from app.applications.states import ApplicationState
from app.calls.states import CallPhase
from app.cases.services import create_case_draft, transition_case
from app.cases.states import CaseState
from app.engagements import services
from app.engagements.kickoff import record_kickoff
from app.extensions import db
from app.surveys.services import submit_survey
from tests import factories
from tests.engagements import builders

CONTACT_EMAIL = "tanaka.taro@city.fukushima.example.jp"
CONTACT_NAME = "田中太郎"
PATH = [CaseState.DRAFT, CaseState.AWAITING_APPROVAL, CaseState.AWAITING_PROVIDER, CaseState.APPROVED, CaseState.PUBLISHED]
PATH_VIA_PROVIDER = [CaseState.DRAFT, CaseState.AWAITING_APPROVAL, CaseState.AWAITING_MUNICIPALITY]


def engagement_with_application(tenant, lg_code: str = builders.FUKUSHIMA):
    """A COMPLETED engagement assigned from an application (with contacts), with a survey answer."""
    call = builders.call_in(tenant, CallPhase.SUPPORT)
    item = builders.menu_item(tenant, call, title="業務の見える化、課題分析", categories=("BPR", "RPA"))
    application = Application(tenant_id=tenant.id, call_id=call.id, municipality_id=factories.municipality(lg_code).id,
                              state=ApplicationState.SELECTED, issue="窓口業務の待ち時間が長い",
                              goal="手続の流れを見える化し改善策をまとめる", contact_name=CONTACT_NAME,
                              contact_email=CONTACT_EMAIL, contact_phone="024-000-0000")
    db.session.add(application)
    db.session.flush()
    engagement = services.assign_engagement(call=call, application=application, menu_item=item, actor=None)
    services.accept_engagement(engagement, actor=None)
    record_kickoff(engagement, actor=None, issues="窓口の待ち時間が長く、手続が分かりにくい",
                   goals="手続の流れを見える化し改善策をまとめる", planned_sessions=2)
    first = builders.log(engagement, minutes=120, proposals=3, content="業務フローを職員と一緒に作成した。")
    services.confirm_session(first, actor=None)
    builders.log(engagement, minutes=90, proposals=2, content="改善案を説明し、優先順位を決めた。")
    services.complete_engagement(engagement, actor=None)
    services.submit_report(engagement, actor=None, summary="窓口業務のフローを可視化し改善案を提示。",
                           outcomes="待ち時間を3割短縮する計画を策定")
    submit_survey(engagement, actor=None, answers={"problem_solved": "とてもつながった", "satisfaction": 5, "next_wish": "はい"})
    return engagement


def case_in(tenant, state: CaseState, held_back=None, **kwargs):
    """A case taken along the normal path to `state` (through `transition_case`; the municipality
    approves first). `held_back` is what each approving party holds back."""
    engagement = builders.completed(tenant, **kwargs)
    case = create_case_draft(engagement, actor=None)
    path = PATH_VIA_PROVIDER if state == CaseState.AWAITING_MUNICIPALITY else PATH
    for target in path[1: path.index(state) + 1]:
        transition_case(case, target, actor=None, note="ok", held_back=held_back)
    return case
