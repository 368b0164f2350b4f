"""A call's selection rules as the pure `proposal` types, and the one check "does one more
engagement of this item still fit" with its Japanese message — shared by the operator's manual
adjustment (`selection.services`) and waitlist promotion (`decisions.services`)."""
from __future__ import annotations

from collections import Counter

from flask_babel import gettext as _

from app.calls.models import Call
from app.menus.models import MenuItem
from app.selection import proposal


def rules_of(call: Call) -> proposal.Rules:
    """The selection rules of `call` (budget in 千円; product.md §5)."""
    return proposal.Rules(budget=call.budget_thousand_yen, max_first_pass=call.max_engagements_first_pass,
                          max_per_municipality=call.max_engagements_per_municipality,
                          lookback_years=call.priority_lookback_years)


def problem_message(code: str, call: Call) -> str:
    """The Japanese message of a `proposal.CAPACITY` / `BUDGET` / `CAP` problem of `call`."""
    return {
        proposal.CAPACITY: _("希望メニューの受入枠を超えるため選定できません。"),
        proposal.BUDGET: _("予算（%(b)s千円）を超えるため選定できません。", b=f"{call.budget_thousand_yen:,}"),
        proposal.CAP: _("1市町村あたりの上限（%(n)d件）を超えるため選定できません。", n=call.max_engagements_per_municipality),
    }[code]


def fit_problem(call: Call, item: MenuItem, *, items_used: Counter, cost_used: int, municipality_count: int) -> str | None:
    """Why one more engagement of `item` breaks the capacity, the budget (千円) or the
    per-municipality cap of `call` (Japanese message), or None. The usage arguments describe every
    other engagement or allocation: per item id, total cost, and those of the same municipality."""
    code = proposal.adjustment_problem(
        proposal.Item(item.id, item.capacity, item.unit_cost_thousand_yen), items_used=items_used,
        cost_used=cost_used, municipality_count=municipality_count, rules=rules_of(call))
    return problem_message(code, call) if code else None
