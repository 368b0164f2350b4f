"""Engagement workflow (product.md §4; issue 4 lifecycle) and completion-report states."""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum


class EngagementState(LabeledEnum):
    ASSIGNED = "assigned", _l("割当済")
    ACCEPTED = "accepted", _l("受諾済")
    IN_PROGRESS = "in_progress", _l("支援中")
    COMPLETED = "completed", _l("支援完了")
    CLOSED = "closed", _l("終了")
    CANCELLED = "cancelled", _l("中止")
    DECLINED = "declined", _l("辞退")


TRANSITIONS = {
    # The provider accepts or declines (辞退) its assignment (issue 3 §6); declining frees the capacity.
    EngagementState.ASSIGNED: {EngagementState.ACCEPTED, EngagementState.DECLINED, EngagementState.CANCELLED},
    # The kickoff (issues and goals agreed, 003:1671) starts the support; sessions only after it.
    EngagementState.ACCEPTED: {EngagementState.IN_PROGRESS, EngagementState.CANCELLED},
    # The provider marks it complete (≥1 confirmed session); the 実績報告 is then due.
    EngagementState.IN_PROGRESS: {EngagementState.COMPLETED, EngagementState.CANCELLED},
    # The operator closes it once the 実績報告 is accepted.
    EngagementState.COMPLETED: {EngagementState.CLOSED},
    EngagementState.CLOSED: set(),
    EngagementState.CANCELLED: set(),
    EngagementState.DECLINED: set(),
}
# Engagements that count as "supported" for coverage, and that use an item's capacity and the
# budget (a cancelled or declined one never does).
COUNTED = {s for s in EngagementState if s not in (EngagementState.CANCELLED, EngagementState.DECLINED)}


class ReportState(LabeledEnum):
    SUBMITTED = "submitted", _l("提出済")
    ACCEPTED = "accepted", _l("受理")
    RETURNED = "returned", _l("差戻し")


REPORT_TRANSITIONS = {
    ReportState.SUBMITTED: {ReportState.ACCEPTED, ReportState.RETURNED},
    ReportState.RETURNED: {ReportState.SUBMITTED},
    ReportState.ACCEPTED: set(),
}
