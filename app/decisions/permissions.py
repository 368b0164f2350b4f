"""Who may see decision notices and run the waitlist (pure predicates; views answer 404).

A notice is seen by the staff of its recipient organisation (municipality or provider) and by the
tenant's operators, who see which were issued and read. Only operators see the waitlist and
promote from it.
"""
from __future__ import annotations

from app.auth.models import Role


def _in_tenant(user, obj) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.tenant_id == obj.tenant_id


def is_notice_recipient(user, notice) -> bool:
    """Staff of the organisation the notice is addressed to."""
    return (_in_tenant(user, notice) and user.role in (Role.MUNICIPAL, Role.PROVIDER)
            and user.organisation_id == notice.recipient_id)


def can_view_notice(user, notice) -> bool:
    """The recipient's staff, or an operator of the tenant."""
    return is_notice_recipient(user, notice) or (_in_tenant(user, notice) and user.role == Role.OPERATOR)


def can_manage_waitlist(user) -> bool:
    """Operators see the waitlist and promote from it (product.md §3)."""
    return bool(getattr(user, "is_authenticated", False)) and user.role == Role.OPERATOR
