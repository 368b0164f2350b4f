"""Who may answer and see post-engagement surveys (pure predicates; views answer 404 on no)."""
from __future__ import annotations

from app.engagements.permissions import is_engagement_municipality, is_operator
from app.engagements.states import EngagementState

ANSWERABLE_STATES = {EngagementState.COMPLETED, EngagementState.CLOSED}


def can_answer_survey(user, engagement) -> bool:
    """Staff of the supported municipality, once the engagement is COMPLETED or CLOSED."""
    return is_engagement_municipality(user, engagement) and engagement.state in ANSWERABLE_STATES


def can_view_survey(user, engagement) -> bool:
    """The municipality's staff and the operator may read an answered survey."""
    return is_engagement_municipality(user, engagement) or is_operator(user, engagement)
