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
