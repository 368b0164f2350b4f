"""Login and logout, for tenant users (`/t/<slug>/login`) and platform admins (`/admin/login`)."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from app.auth.forms import LoginForm
from app.auth.models import Role, User
from app.auth.services import authenticate
from app.core.web import safe_next_url
from app.extensions import db, login_manager

bp = Blueprint("auth", __name__, url_prefix="/t/<tenant_slug>")
admin_bp = Blueprint("admin_auth", __name__, url_prefix="/admin")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the session's user only inside its own tenant (platform admins: outside tenants)."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    tenant = getattr(g, "tenant", None)
    if tenant is not None and user.tenant_id != tenant.id:
        return None
    return user


def _login(tenant_id: int | None, home: str):
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(tenant_id, form.email.data, form.password.data)
        if user is not None:
            session.clear()  # a new session at login (no fixation)
            login_user(user)
            db.session.commit()
            return redirect(safe_next_url(home))
        db.session.commit()  # keep the failure audit
        flash(_("メールアドレスまたはパスワードが正しくありません。"), "error")
    return render_template("auth/login.html", form=form), (400 if form.is_submitted() else 200)


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Tenant login form; on success go to `next` (local paths only) or the tenant home."""
    return _login(g.tenant.id, url_for("home.index"))


@admin_bp.route("/login", methods=["GET", "POST"])
def admin_login():
    """Platform-admin login."""
    return _login(None, url_for("admin.index"))


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session (POST with CSRF token only)."""
    logout_user()
    session.clear()
    flash(_("ログアウトしました。"), "info")
    return redirect(url_for("home.index"))


@admin_bp.route("/logout", methods=["POST"])
def admin_logout():
    """End a platform admin's session."""
    logout_user()
    session.clear()
    return redirect(url_for("root.index"))


def current_role() -> Role | None:
    """The logged-in user's role in templates, or None."""
    return current_user.role if current_user.is_authenticated else None
