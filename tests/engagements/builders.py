"""Arrange helpers shared by the engagements, surveys and cases tests (built through services)."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.auth.models import Role
from app.calls.models import Call
from app.calls.services import create_call, transition_call
from app.calls.states import CallPhase
from app.core.db import utcnow
from app.engagements import kickoff, services
from app.engagements.states import EngagementState
from app.extensions import db
from app.menus.models import MenuItem
from tests import factories

FUKUSHIMA, AIZU = "072010", "072028"
PHASES = [CallPhase.PROPOSALS, CallPhase.MENU_REVIEW, CallPhase.APPLICATIONS, CallPhase.SELECTION,
          CallPhase.SUPPORT, CallPhase.CLOSING, CallPhase.CLOSED]


def call_in(tenant, phase: CallPhase, fiscal_year: int = 2024) -> Call:
    """The call of `fiscal_year` (created if missing), moved forward to `phase`."""
    call = db.session.scalar(sa.select(Call).where(Call.tenant_id == tenant.id, Call.fiscal_year == fiscal_year))
    if call is None:
        call = create_call(tenant, fiscal_year=fiscal_year, budget_thousand_yen=69545, actor=None)
    order = [CallPhase.DRAFT, *PHASES]
    while order.index(call.phase) < order.index(phase):
        target = order[order.index(call.phase) + 1]
        if target == CallPhase.APPLICATIONS:
            call.menu_published_at = utcnow()
        transition_call(call, target, actor=None)
    return call


def menu_item(tenant, call: Call, *, provider_name: str = "テスト情報システム株式会社", number: int | None = None,
              title: str = "情報セキュリティポリシー見直し", categories=("SEC",)) -> MenuItem:
    """A menu item of `call` offered by the provider named `provider_name` (created if missing)."""
    provider = factories.provider(tenant, provider_name)
    number = number or (db.session.scalar(sa.select(sa.func.count(MenuItem.id)).where(MenuItem.call_id == call.id)) + 1)
    item = MenuItem(tenant_id=tenant.id, call_id=call.id, provider_id=provider.id, number=number, title=title,
                    categories=list(categories), capacity=3, unit_cost_thousand_yen=1500)
    db.session.add(item)
    db.session.flush()
    return item


def engagement(tenant, *, phase: CallPhase = CallPhase.SUPPORT, state: EngagementState = EngagementState.ASSIGNED,
               lg_code: str = FUKUSHIMA, provider_name: str = "テスト情報システム株式会社", fiscal_year: int = 2024,
               title: str = "情報セキュリティポリシー見直し"):
    """An engagement in `state` of a call in `phase` (via record_past_engagement)."""
    call = call_in(tenant, phase, fiscal_year)
    item = menu_item(tenant, call, provider_name=provider_name, title=title)
    return services.record_past_engagement(call=call, municipality=factories.municipality(lg_code), menu_item=item,
                                           actor=None, state=state)


def start(engagement_obj, actor=None, *, planned_sessions: int = 3, planned_dates=()):
    """Record the kickoff of an ACCEPTED engagement (operator path): it is IN_PROGRESS afterwards."""
    return kickoff.record_kickoff(engagement_obj, actor=actor, issues="情報セキュリティポリシーが古い",
                                  goals="ポリシーを改定し職員研修を行う", planned_sessions=planned_sessions,
                                  planned_dates=planned_dates)


def started(tenant, **kwargs):
    """An engagement whose kickoff is recorded (IN_PROGRESS, no session yet)."""
    return start(engagement(tenant, state=EngagementState.ACCEPTED, **kwargs))


def log(engagement_obj, actor=None, *, held_on: dt.date = dt.date(2024, 7, 10), minutes: int = 90, proposals: int = 2,
        content: str = "課題と目標を確認し、情報セキュリティポリシーの現状を説明した。"):
    """Log a valid session (today fixed after `held_on`); an ACCEPTED engagement gets its kickoff first."""
    if engagement_obj.state == EngagementState.ACCEPTED:
        start(engagement_obj)
    return services.log_session(engagement_obj, actor=actor, held_on=held_on, format="onsite", duration_minutes=minutes,
                                attendees={"担当職員": 3, "管理職": 1}, content=content, proposals_count=proposals,
                                today=dt.date(2024, 12, 1))


def finish(engagement_obj, *, summary: str = "ポリシー改定案を作成し、研修を実施した。", outcomes: str = "ポリシーを改定した。"):
    """Confirm the logged sessions, mark the engagement COMPLETED and file its 実績報告; returns the report."""
    for session in engagement_obj.sessions:
        if session.confirmed_at is None:
            services.confirm_session(session, actor=None)
    services.complete_engagement(engagement_obj, actor=None)
    return services.submit_report(engagement_obj, actor=None, summary=summary, outcomes=outcomes)


def completed(tenant, **kwargs):
    """An engagement taken through the workflow to COMPLETED (kickoff, confirmed session, report filed)."""
    e = engagement(tenant, state=EngagementState.ACCEPTED, **kwargs)
    log(e)
    finish(e)
    return e


def users(tenant, provider_name: str = "テスト情報システム株式会社", lg_code: str = FUKUSHIMA) -> dict:
    """One user per role: operator, provider (of `provider_name`), municipal (of `lg_code`),
    plus another provider and another municipality; returns their e-mail addresses."""
    factories.user(tenant, Role.OPERATOR, "op@example.jp")
    factories.user(tenant, Role.PROVIDER, "prov@example.jp", factories.provider(tenant, provider_name))
    factories.user(tenant, Role.PROVIDER, "other-prov@example.jp", factories.provider(tenant, "別の会員企業株式会社"))
    factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", factories.municipality(lg_code))
    factories.user(tenant, Role.MUNICIPAL, "other-muni@example.jp", factories.municipality(AIZU))
    factories.user(tenant, Role.REVIEWER, "rev@example.jp")
    return {"op": "op@example.jp", "prov": "prov@example.jp", "other_prov": "other-prov@example.jp",
            "muni": "muni@example.jp", "other_muni": "other-muni@example.jp", "rev": "rev@example.jp"}
