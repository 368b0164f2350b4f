"""Call phases (product.md §4) and the allowed edges. The operator moves the phase by hand; the
dates of `CallWindow` are the plan (and what the scheduler of a later issue acts on)."""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum


class CallPhase(LabeledEnum):
    DRAFT = "draft", _l("準備中")
    NEEDS_SURVEY = "needs_survey", _l("DX課題把握アンケート")
    PROPOSALS = "proposals", _l("支援メニュー提案受付")
    MENU_REVIEW = "menu_review", _l("支援メニュー審査・選定")
    APPLICATIONS = "applications", _l("申込受付")
    SELECTION = "selection", _l("選定・決定")
    SUPPORT = "support", _l("支援実施")
    CLOSING = "closing", _l("実績報告・事後アンケート")
    CLOSED = "closed", _l("終了")


ORDER = list(CallPhase)
# Forward one phase at a time; the needs survey may be skipped (a call set up after March).
TRANSITIONS = {p: {ORDER[i + 1]} for i, p in enumerate(ORDER[:-1])}
TRANSITIONS[CallPhase.DRAFT] = {CallPhase.NEEDS_SURVEY, CallPhase.PROPOSALS}
TRANSITIONS[CallPhase.CLOSED] = set()

# Phases that have a date window in the tenant calendar (tenant.toml [calendar]).
WINDOW_PHASES = [p for p in ORDER if p not in (CallPhase.DRAFT, CallPhase.CLOSED)]


class CallModel(LabeledEnum):
    """How requests come in (tenant.toml `rules.call_model`, digest §2.3).

    ANNUAL: one window, ranked choices and a selection (Fukushima, 001:246-254). CONTINUOUS and
    ON_DEMAND: no window and no selection; each 派遣依頼 is decided on its own all year (静岡県-style
    with a per-body quota, 003:1646; 宮城県-style on demand, 003:1608). Their call is created directly
    in `REQUEST_PHASE`, where requests and support run side by side.
    """

    ANNUAL = "annual", _l("年間募集")
    CONTINUOUS = "continuous", _l("通年受付")
    ON_DEMAND = "on_demand", _l("随時対応")


# The phase a continuous / on-demand call is created in and takes 派遣依頼 in: support sessions can be
# logged from the moment a request is approved (the engagements domain allows sessions from 支援実施).
REQUEST_PHASE = CallPhase.SUPPORT
