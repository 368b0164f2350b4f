"""FY2024 (令和6年度) built through the services: 34 menu items, applications, a confirmed selection
that lands on the published plan (45 engagements in 41 municipalities within 69,545千円, 001:218-221),
and engagements at every stage of support."""
from __future__ import annotations

from app.applications import services as applications
from app.applications.queries import applications_of_call, applications_of_municipality
from app.applications.states import ApplicationState
from app.calls.services import create_call, transition_call
from app.calls.states import CallPhase
from app.reviews.rubric import rubric_for
from app.reviews.services import declare_conflict, score_application
from app.reviews.states import ReviewTarget
from app.selection import services as selection
from seed.menu import build_menu
from seed.samples import ISSUES, REJECTED_PROPOSALS, SAMPLE_MENU_ITEMS

FISCAL_YEAR = 2024
BUDGET = 69545  # 千円, 001:218
# A sample unit cost (the sources give none, digest §9.10): 45 × 1,545 = 69,525 fits the budget, 46 does not.
UNIT_COST = 1545
SMALL_ITEM_CAPACITY = 2
REVIEWED_APPLICATIONS = 12  # sample application reviews (審査) before the selection  # menu item No.1 takes two municipalities: later applicants for it are not selected


def menu_items(named: list[tuple[str, list[str], str]]) -> list[tuple[str, list[str], bool]]:
    """The 11 named FY2024 items (001:234-264) plus sample items up to 34 (001:232)."""
    real = [(t, c, False) for t, c, kind in named if kind == "menu_fy2024"]
    samples = [(t, c, True) for t, c in SAMPLE_MENU_ITEMS]
    return (real + samples)[:34]


def seed_fy2024(tenant, people: dict, municipalities: list, named: list, never_supported: list, supported: list,
                *, confirm: bool = True):
    """Create and run FY2024 up to the support phase; returns (call, engagements). With
    `confirm=False` it stops at the optimiser's proposal in 選定・決定 (no engagements), so that an
    operator can review and confirm the FY2024 selection in the browser."""
    operator = people["operator"]
    call = create_call(tenant, fiscal_year=FISCAL_YEAR, budget_thousand_yen=BUDGET, actor=operator)
    call.is_sample = True
    items = build_menu(call, people, menu_items(named), unit_cost=UNIT_COST,
                       capacity_of=lambda i: SMALL_ITEM_CAPACITY if i == 0 else 3, rejected=REJECTED_PROPOSALS)
    transition_call(call, CallPhase.APPLICATIONS, actor=operator)
    _apply(tenant, call, people, items, never_supported, supported)
    transition_call(call, CallPhase.SELECTION, actor=operator)
    _review_applications(tenant, call, people["reviewer"])
    proposed = selection.propose_selection(call, actor=operator)
    if not confirm:
        return call, []
    engagements = selection.confirm_selection(proposed, actor=operator)
    transition_call(call, CallPhase.SUPPORT, actor=operator)
    return call, engagements


def _apply(tenant, call, people, items, never_supported, supported) -> None:
    """41 municipalities apply (all 20 never supported + 21 others); 4 of them apply twice; 2 more
    ask only for the small item No.1, which the first two priority municipalities also ask for
    alone (with no second application) — so no allocation, however optimised, serves the 2 more
    without leaving a priority municipality out: 45 engagements in 41 municipalities (001:221)."""
    first = never_supported + supported[:41 - len(never_supported)]
    for index, municipality in enumerate(first):
        picks = [items[0]] if index < SMALL_ITEM_CAPACITY else _choices(items, index)
        _submit(call, people, municipality, picks, index)
    for index, municipality in enumerate(never_supported[SMALL_ITEM_CAPACITY:SMALL_ITEM_CAPACITY + 4]):
        _submit(call, people, municipality, _choices(items, index + 20), index + 1)
    for index, municipality in enumerate(supported[41 - len(never_supported):][:2]):
        _submit(call, people, municipality, [items[0]], index + 2)
    _return_and_resubmit(tenant, people, first[5])


def _review_applications(tenant, call, reviewer, count: int = REVIEWED_APPLICATIONS) -> None:
    """The demo reviewer declares no conflict and scores the first `count` applications on the
    call's application rubric (sample points and justifications), so the optimiser's quality
    stage and the 審査表 have scores to show."""
    criteria = rubric_for(call, ReviewTarget.APPLICATION, tenant)
    for n, application in enumerate(applications_of_call(tenant, call, state=ApplicationState.SUBMITTED)[:count]):
        declare_conflict(application, reviewer, has_conflict=False)
        scores = {c.key: max(1, c.max - (n + i) % 3) for i, c in enumerate(criteria)}
        score_application(application, reviewer, scores=scores,
                          justifications=dict.fromkeys(scores, "課題と希望メニューの対応を確認した（サンプル）"))


def _choices(items, index: int) -> list:
    """Three distinct items other than No.1, spread over the menu."""
    others = items[1:]
    return [others[(index * 7 + k) % len(others)] for k in (0, 5, 11)]


def _submit(call, people, municipality, choices, index: int):
    user = people["municipal"][municipality.lg_code]
    issue, goal = ISSUES[index % len(ISSUES)]
    application = applications.create_application(
        call, municipality, actor=user, choices=choices, issue=f"{issue}（サンプル）", goal=f"{goal}（サンプル）",
        desired_timing="7月以降", contact_name="DX担当（サンプル）",
        contact_email=f"municipal-{municipality.lg_code}@demo.example", is_sample=True,
    )
    applications.submit_application(application, actor=user)
    return application


def _return_and_resubmit(tenant, people, municipality) -> None:
    """One application went back for revision (差戻し) and was corrected: the history shows both."""
    user = people["municipal"][municipality.lg_code]
    application = applications_of_municipality(tenant, municipality.id)[0]
    applications.return_application(application, actor=people["operator"], reason="課題の内容をもう少し具体的に記入してください。")
    applications.update_application(application, actor=user, choices=[c.menu_item for c in application.choices],
                                    issue=application.issue + " 特に住民票等の証明書発行の申請が多い。")
    applications.submit_application(application, actor=user)

