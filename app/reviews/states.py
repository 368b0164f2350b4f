"""What reviewers score (審査の対象) and when (product.md §4, issue 3 item 4).

Reviews are not a workflow of their own: a review is recorded or replaced, a conflict declared, an
assignment added or dropped. The only stored "state" is the target kind, a labelled enum.
"""
from flask_babel import lazy_gettext as _l

from app.calls.states import CallPhase
from app.core.states import LabeledEnum


class ReviewTarget(LabeledEnum):
    PROPOSAL = "proposal", _l("メニュー提案審査")
    APPLICATION = "application", _l("申込審査")


# The call phase in which each kind is scored. The operator moves the phase by hand on the dates of
# the call's windows (calls/models.CallWindow), so "review phase by date" is the phase itself:
# proposals in 支援メニュー審査・選定, applications in 選定・決定.
SCORING_PHASE = {
    ReviewTarget.PROPOSAL: CallPhase.MENU_REVIEW,
    ReviewTarget.APPLICATION: CallPhase.SELECTION,
}

# The one-item-per-row CHECK shared by reviews, assignments and conflict declarations.
ONE_TARGET_SQL = (
    "(target = 'proposal' AND proposal_id IS NOT NULL AND application_id IS NULL) OR "
    "(target = 'application' AND application_id IS NOT NULL AND proposal_id IS NULL)"
)
