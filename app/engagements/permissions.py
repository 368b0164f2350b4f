"""Who may see and act on engagements (pure predicates; views answer 404 when they say no).

The operator sees every engagement of the tenant; a provider only those assigned to its own
organisation (digest §10.5); municipal staff only those of their own municipality.
"""
from __future__ import annotations

from app.auth.models import Role
from app.engagements.states import TRANSITIONS, EngagementState

S = EngagementState
OPEN_STATES = (S.ASSIGNED, S.ACCEPTED, S.IN_PROGRESS)


def _in_tenant(user, obj) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.tenant_id == obj.tenant_id


def is_operator(user, obj) -> bool:
    """True for an operator of the tenant that owns `obj`."""
    return _in_tenant(user, obj) and user.role == Role.OPERATOR


def is_engagement_provider(user, engagement) -> bool:
    """True for staff of the provider organisation assigned to `engagement`."""
    return _in_tenant(user, engagement) and user.role == Role.PROVIDER and user.organisation_id == engagement.provider_id


def is_engagement_municipality(user, engagement) -> bool:
    """True for staff of the municipality supported by `engagement`."""
    return (_in_tenant(user, engagement) and user.role == Role.MUNICIPAL
            and user.organisation_id == engagement.municipality_id)


def can_view_engagement(user, engagement) -> bool:
    """Operator, the assigned provider's staff, or the municipality's staff."""
    return is_operator(user, engagement) or is_engagement_provider(user, engagement) or is_engagement_municipality(user, engagement)


def can_download_attachment(user, engagement) -> bool:
    """Attachments of a session: the engagement's provider, its municipality and the operator."""
    return can_view_engagement(user, engagement)


def can_draft_kickoff(user, engagement) -> bool:
    """The assigned provider fills in the kickoff while the engagement is ACCEPTED."""
    return is_engagement_provider(user, engagement) and engagement.state == S.ACCEPTED


def can_agree_kickoff(user, engagement) -> bool:
    """The municipality agrees to a kickoff the provider has drafted (ACCEPTED → IN_PROGRESS)."""
    return (is_engagement_municipality(user, engagement) and engagement.state == S.ACCEPTED
            and engagement.kickoff_drafted_at is not None)


def can_record_kickoff(user, engagement) -> bool:
    """The operator records the agreed kickoff directly (ACCEPTED → IN_PROGRESS)."""
    return is_operator(user, engagement) and engagement.state == S.ACCEPTED


def can_log_session(user, engagement) -> bool:
    """The assigned provider logs sessions once the kickoff is recorded (IN_PROGRESS)."""
    return is_engagement_provider(user, engagement) and engagement.state == S.IN_PROGRESS


# Who may take each edge of `TRANSITIONS` (issue 4 lifecycle): one predicate per role.
EDGE_ACTORS = {
    (S.ASSIGNED, S.ACCEPTED): (is_engagement_provider,),
    (S.ASSIGNED, S.DECLINED): (is_engagement_provider,),
    (S.ACCEPTED, S.IN_PROGRESS): (can_agree_kickoff, can_record_kickoff),
    (S.IN_PROGRESS, S.COMPLETED): (is_engagement_provider,),
    (S.COMPLETED, S.CLOSED): (is_operator,),
    **{(state, S.CANCELLED): (is_operator,) for state in OPEN_STATES},
}


def can_transition_engagement(user, engagement, to_state: EngagementState) -> bool:
    """True when `user` may move `engagement` to `to_state`: the edge is in `TRANSITIONS` and the
    user's role owns it (`EDGE_ACTORS`). Data rules (reasons, confirmed sessions) are the services'."""
    if to_state not in TRANSITIONS[engagement.state]:
        return False
    return any(check(user, engagement) for check in EDGE_ACTORS.get((engagement.state, to_state), ()))
