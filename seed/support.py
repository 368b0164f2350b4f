"""FY2024 engagements at every stage of support, survey answers and cases (all sample texts).

Stages by position (engagements in id order): 20 closed with survey; 5 completed awaiting the
survey; 3 with a report awaiting the operator; 2 completed with the report still due; 8 in progress
(kickoff agreed, the last session awaiting the municipality's confirmation, no attachments); 2 with
a kickoff drafted by the provider awaiting the municipality; 2 accepted; the rest just assigned.
"""
from __future__ import annotations

import datetime as dt

from app.cases import services as cases
from app.cases.states import CaseState
from app.engagements import kickoff
from app.engagements import services as engagements
from app.menus.states import DeliveryFormat
from app.surveys.services import submit_survey
from seed.samples import SESSION_CONTENTS

SUPPORT_START = dt.date(2024, 7, 16)  # 支援開始（協議会総会後）, early July (001:254)
KICKOFF_ISSUES = "紙と手作業の業務が多く、職員の負担が大きい。（サンプル）"
KICKOFF_GOALS = "対象業務を洗い出し、改善策と実施計画をまとめる。（サンプル）"
STAGES = [("closed", 20), ("awaiting_survey", 5), ("report_submitted", 3), ("report_due", 2), ("in_progress", 8),
          ("kickoff_drafted", 2), ("accepted", 2)]


def seed_support(engagements_: list, people: dict) -> None:
    """Move each engagement to its stage; then cases for the first five closed ones."""
    position = 0
    for stage, count in STAGES:
        for engagement in engagements_[position:position + count]:
            _advance(engagement, stage, people, position)
            position += 1
    _cases(engagements_[:5], people)


def _actors(engagement, people):
    provider = next(u for org, u in people["providers"] if org.id == engagement.provider_id)
    return provider, people["municipal"][engagement.municipality.lg_code], people["operator"]


def _advance(engagement, stage: str, people: dict, position: int) -> None:
    provider, municipal, operator = _actors(engagement, people)
    engagements.accept_engagement(engagement, actor=provider)
    if stage == "accepted":
        return
    kickoff.draft_kickoff(engagement, actor=provider, issues=KICKOFF_ISSUES, goals=KICKOFF_GOALS, planned_sessions=3,
                          planned_dates=[SUPPORT_START + dt.timedelta(days=7 * position % 60 + 30 * n) for n in range(3)])
    if stage == "kickoff_drafted":
        return
    kickoff.agree_kickoff(engagement, actor=municipal)
    sessions = 1 + position % 2 if stage == "in_progress" else 3
    for n in range(sessions):
        session = _log(engagement, provider, position, n)
        if stage != "in_progress" or n < sessions - 1:
            engagements.confirm_session(session, actor=municipal, comment="")
    if stage == "in_progress":
        return
    engagements.complete_engagement(engagement, actor=provider)
    if stage == "report_due":
        return
    report = engagements.submit_report(engagement, actor=provider, summary="3回の支援で課題を整理し、改善策を提案した。（サンプル）",
                                       outcomes="庁内で改善策の実施計画を作成した。（サンプル）")
    if stage == "report_submitted":
        return
    engagements.decide_report(report, actor=operator, accept=True)
    if stage == "awaiting_survey":
        return
    submit_survey(engagement, actor=municipal, answers=_answers(position))
    engagements.close_engagement(engagement, actor=operator)


def _log(engagement, provider, position: int, n: int):
    return engagements.log_session(
        engagement, actor=provider, held_on=SUPPORT_START + dt.timedelta(days=7 * position % 60 + 30 * n),
        format=list(DeliveryFormat)[(position + n) % 3], duration_minutes=90 + 30 * (n % 2),
        attendees={"管理職": 1, "担当職員": 2 + n % 2}, content=SESSION_CONTENTS[n % len(SESSION_CONTENTS)] + "（サンプル）",
        proposals_count=n % 2 + (1 if n == 2 else 0), proposals_text="改善策の提案（サンプル）" if n else "",
        next_steps="次回までに担当課で対象業務を洗い出す。（サンプル）",
    )


def _answers(position: int) -> dict:
    """Every implementing body said the support led to solving its problem (001:195-196)."""
    return {
        "problem_solved": "とてもつながった" if position % 3 else "つながった",
        "satisfaction": 5 if position % 2 else 4,
        "good_points": "職員だけでは難しかった業務の整理が進んだ。（サンプル）",
        "improvements": "",
        "next_wish": "はい",
    }


def _cases(closed: list, people: dict) -> None:
    """Three published cases approved by both parties (the second with the population and the
    survey result held back by the municipality), one the municipality approved that awaits the
    provider, one draft."""
    operator = people["operator"]
    for index, engagement in enumerate(closed):
        case = cases.create_case_draft(engagement, actor=operator)
        if index == 4:
            continue
        cases.transition_case(case, CaseState.AWAITING_APPROVAL, actor=operator)
        provider, municipal, _operator = _actors(engagement, people)
        held = ["population", "survey_solved"] if index == 1 else []
        cases.transition_case(case, CaseState.AWAITING_PROVIDER, actor=municipal, held_back=held)
        if index == 3:
            continue
        cases.transition_case(case, CaseState.APPROVED, actor=provider)
        cases.transition_case(case, CaseState.PUBLISHED, actor=operator)
