"""Builds a call's menu through the menu services: propose, submit, review, adopt/reject, publish."""
from __future__ import annotations

from app.calls.services import transition_call
from app.calls.states import CallPhase
from app.menus import services as menus
from app.menus.states import DeliveryFormat
from app.reviews.services import declare_conflict, score_proposal

FORMATS = [DeliveryFormat.HYBRID, DeliveryFormat.ONSITE, DeliveryFormat.ONLINE]


def build_menu(call, people: dict, items: list[tuple[str, list[str], bool]], *, capacity_of, unit_cost: int,
               rejected: list[tuple[str, list[str], str]] = ()) -> list:
    """Propose `items` [(title, categories, is_sample)] round-robin over the providers, have the
    reviewer score them, adopt them (and reject `rejected` with its reason), and publish the menu.

    Leaves the call in MENU_REVIEW with the menu published; returns the numbered MenuItems.
    """
    operator, reviewer = people["operator"], people["reviewer"]
    transition_call(call, CallPhase.PROPOSALS, actor=operator)
    adopted, refused = [], []
    for index, (title, categories, is_sample) in enumerate(items):
        adopted.append(_propose(call, people, index, title, categories, is_sample, capacity_of(index), unit_cost))
    for index, (title, categories, reason) in enumerate(rejected):
        refused.append((_propose(call, people, index + 3, title, categories, True, 1, unit_cost), reason))
    transition_call(call, CallPhase.MENU_REVIEW, actor=operator)
    for proposal in adopted + [p for p, _ in refused]:
        declare_conflict(proposal, reviewer, has_conflict=False)
        scores = _scores(proposal.id)
        score_proposal(proposal, reviewer, scores=scores, justifications=dict.fromkeys(scores, "（サンプル）評価理由"),
                       comment="")
    for proposal in adopted:
        menus.decide_proposal(proposal, actor=operator, adopt=True, reason="")
    for proposal, reason in refused:
        menus.decide_proposal(proposal, actor=operator, adopt=False, reason=reason)
    return menus.publish_menu(call, actor=operator)


def _propose(call, people, index, title, categories, is_sample, capacity, unit_cost):
    provider_org, provider_user = people["providers"][index % len(people["providers"])]
    proposal = menus.propose_menu_item(
        call, provider_org, actor=provider_user, title=title, categories=categories,
        description=f"{title}について、現状の把握から改善案の提案、庁内での実行までを伴走して支援します。（サンプル）",
        deliverables="現状分析の報告書、改善提案書（サンプル）", format=FORMATS[index % len(FORMATS)],
        regions_served=[], capacity=capacity, unit_cost_thousand_yen=unit_cost, is_sample=is_sample,
    )
    menus.submit_proposal(proposal, actor=provider_user)
    return proposal


def _scores(seed: int) -> dict[str, int]:
    return {"necessity": 3 + seed % 3, "feasibility": 3 + (seed // 3) % 3, "cost": 3 + (seed // 9) % 3}
