"""FY2022 and FY2023 as closed history: the published counts of municipalities supported
(19 and 20, 001:167-168); which municipalities is a sample."""
from __future__ import annotations

import csv
from pathlib import Path

from app.calls.services import create_call, transition_call
from app.calls.states import CallPhase
from app.engagements.services import record_past_engagement
from seed.menu import build_menu

HISTORY_YEARS = {2022: 19, 2023: 20}  # municipalities_supported, program_figures.csv


# The menu items and figures the sources name, copied into the project with their source lines
# (seed/data/fukushima/README.md).
DATA_DIR = Path(__file__).parent / "data" / "fukushima"


def named_items() -> list[tuple[str, list[str], str]]:
    """(title, categories, kind) of every menu item the sources name (seed/data/fukushima/
    menu_items_named.csv: the 11 named FY2024 items, 001:234-264, and earlier examples)."""
    with (DATA_DIR / "menu_items_named.csv").open(encoding="utf-8") as fh:
        return [(r["title"], r["categories"].split(";"), r["kind"]) for r in csv.DictReader(fh)]


def history_groups(municipalities: list) -> dict[int, list]:
    """Disjoint samples of municipalities per history year: every third municipality in code order
    for FY2022, the next for FY2023, cut to the published counts; the rest were never supported."""
    return {
        2022: municipalities[0::3][: HISTORY_YEARS[2022]],
        2023: municipalities[1::3][: HISTORY_YEARS[2023]],
    }


def seed_history(tenant, people: dict, municipalities: list, items: list, budgets: dict[int, int]) -> None:
    """Closed calls for FY2022 and FY2023 with their menus and engagements (state 終了)."""
    for fiscal_year, group in history_groups(municipalities).items():
        call = create_call(tenant, fiscal_year=fiscal_year, budget_thousand_yen=budgets.get(fiscal_year, 0),
                           actor=people["operator"])
        call.is_sample = True
        menu = build_menu(call, people, [(t, c, True) for t, c in items], capacity_of=lambda i: 4, unit_cost=1500)
        for phase in (CallPhase.APPLICATIONS, CallPhase.SELECTION, CallPhase.SUPPORT):
            transition_call(call, phase, actor=people["operator"])
        for index, municipality in enumerate(group):
            record_past_engagement(call=call, municipality=municipality, menu_item=menu[index % len(menu)],
                                   actor=people["operator"], is_sample=True)
        for phase in (CallPhase.CLOSING, CallPhase.CLOSED):
            transition_call(call, phase, actor=people["operator"])
