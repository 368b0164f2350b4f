"""Role checks for views. Denials answer 404 so that users cannot probe what exists (architecture.md).

Object-level predicates (`can_view_application(user, application)`) live in each domain's
`permissions.py`; this module only answers "is this user in this tenant with one of these roles".
"""
from __future__ import annotations

from functools import wraps

from flask import abort, g, redirect, request, url_for
from flask_login import current_user

from app.auth.models import Role


def is_member(user, tenant) -> bool:
    """True when `user` is logged in and belongs to `tenant`."""
    return bool(getattr(user, "is_authenticated", False)) and tenant is not None and user.tenant_id == tenant.id


def role_required(*roles: Role):
    """View decorator: anonymous users go to the tenant login; other tenants' users and wrong roles get 404."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            tenant = getattr(g, "tenant", None)
            if not current_user.is_authenticated:
                return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
            if not is_member(current_user, tenant) or current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def platform_admin_required(view):
    """View decorator for `/admin/…`: only platform admins (others get 404)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("admin_auth.admin_login"))
        if current_user.role != Role.PLATFORM_ADMIN:
            abort(404)
        return view(*args, **kwargs)

    return wrapped
