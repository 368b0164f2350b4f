"""Who may do what with calls: only the program office (operator) manages them."""
from __future__ import annotations

from app.auth.models import Role


def can_manage_calls(user) -> bool:
    """Operators create, edit and move calls (product.md §3)."""
    return user.is_authenticated and user.role == Role.OPERATOR
