"""Login, logout, re-authentication and session keep-alive, for tenant users (`/t/<slug>/…`) and
platform admins (`/admin/…`). Sessions are server-side rows (`app.auth.sessions`); the user loader
accepts a cookie only while its row is live. TOTP pages are in `app.auth.mfa_views`."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from app.auth import mfa, throttle
from app.auth.forms import LoginForm, ReauthForm
from app.auth.models import Role, User
from app.auth.passwords import verify_password
from app.auth.services import authenticate
from app.auth.sessions import (
    idle_timeout, live_session, mark_reauthenticated, register_reauth_failure, revoke_current_session,
    start_pending_login, start_session, touch_current_session,
)
from app.core.audit import record_audit
from app.core.ratelimit import client_address, mark_failure
from app.core.web import safe_next_url
from app.extensions import db, login_manager

bp = Blueprint("auth", __name__, url_prefix="/t/<tenant_slug>")
admin_bp = Blueprint("admin_auth", __name__, url_prefix="/admin")

GENERIC_FAILURE = "メールアドレスまたはパスワードが正しくありません。"
# While a required enrolment is pending the user may reach only these endpoints.
ENROLMENT_ENDPOINTS = {
    "static", "auth.mfa", "admin_auth.admin_mfa", "auth.logout", "admin_auth.admin_logout",
    "auth.keepalive", "admin_auth.admin_keepalive", "auth.reauth", "admin_auth.admin_reauth",
    "auth.mfa_confirm", "admin_auth.admin_mfa_confirm",
}


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the session's user only inside its own tenant (platform admins: outside tenants), only
    while the user and their organisation are active, and only while the cookie's server-side
    session is live (`app.auth.sessions.live_session`)."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    if user.organisation is not None and not user.organisation.is_active:
        return None
    tenant = getattr(g, "tenant", None)
    if tenant is not None and user.tenant_id != tenant.id:
        return None
    return user if live_session(user) is not None else None


@bp.before_app_request
def _check_session():
    """Resolve the session early so that its expiry / last-seen write is committed on its own, and
    keep users who must enrol in TOTP on the enrolment page."""
    if request.endpoint == "static":
        return None
    authenticated = current_user.is_authenticated
    if getattr(g, "session_dirty", False):
        db.session.commit()
    if authenticated and mfa.needs_enrolment(current_user) and request.endpoint not in ENROLMENT_ENDPOINTS:
        flash(_("この役割では2段階認証の設定が必要です。設定を完了してください。"), "info")
        return redirect(url_for("auth.mfa") if g.get("tenant") is not None else url_for("admin_auth.admin_mfa"))
    return None


def _home() -> str:
    return url_for("home.index") if g.get("tenant") is not None else url_for("admin.index")


def _login_page(form, status: int):
    return render_template("auth/login.html", form=form), status


def _fail_login(form):
    mark_failure()  # counts towards this address's failure limit (app.ratelimits)
    db.session.commit()  # keep the failure audit and the throttle count
    flash(_(GENERIC_FAILURE), "error")
    return _login_page(form, 400)


def _login(tenant_id: int | None, home: str):
    form = LoginForm()
    if not form.validate_on_submit():
        return _login_page(form, 400 if form.is_submitted() else 200)
    email, address = form.email.data, client_address()
    throttle.refuse_if_account_exhausted(tenant_id, email)  # 429 before any password is checked
    if throttle.is_locked(tenant_id, email, address=address):
        # Same answer as a wrong password; password not checked; the lock was audited once, its
        # refused attempts are not (issue 14 §3).
        return _fail_login(form)
    user = authenticate(tenant_id, email, form.password.data)
    if user is None:
        throttle.register_failure(tenant_id, email, address=address)
        return _fail_login(form)
    if user.totp_secret:
        start_pending_login(user, tenant_id, safe_next_url(home))  # state on the server, id in the cookie
        db.session.commit()
        return redirect(url_for("auth.login_mfa") if tenant_id is not None else url_for("admin_auth.admin_login_mfa"))
    throttle.register_success(tenant_id, email, address=address)
    start_session(user)
    db.session.commit()
    return redirect(safe_next_url(home))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Tenant login form; on success go to `next` (local paths only) or the tenant home, via the
    TOTP step when the user has TOTP. Failures and locked accounts get one generic message."""
    return _login(g.tenant.id, url_for("home.index"))


@admin_bp.route("/login", methods=["GET", "POST"])
def admin_login():
    """Platform-admin login."""
    return _login(None, url_for("admin.index"))


def _logout():
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        record_audit("auth.logout", tenant_id=user.tenant_id, actor=user, target=user)
    revoke_current_session(reason="logout")
    logout_user()
    session.clear()
    db.session.commit()


@bp.route("/logout", methods=["POST"])
def logout():
    """End the session at the server (POST with CSRF token only): the old cookie no longer works."""
    _logout()
    flash(_("ログアウトしました。"), "info")
    return redirect(url_for("home.index"))


@admin_bp.route("/logout", methods=["POST"])
def admin_logout():
    """End a platform admin's session."""
    _logout()
    return redirect(url_for("root.index"))


def _keepalive():
    if not current_user.is_authenticated:
        return jsonify({"ok": False}), 401
    touch_current_session()
    db.session.commit()
    return jsonify({"ok": True, "idle_seconds": int(idle_timeout().total_seconds())})


@bp.route("/session/keepalive", methods=["POST"])
def keepalive():
    """「ログインを延長」: mark the session as active now (JSON; 401 when the session has ended)."""
    return _keepalive()


@admin_bp.route("/session/keepalive", methods=["POST"])
def admin_keepalive():
    """Keep-alive for platform admins."""
    return _keepalive()


def _reauth_check(form: ReauthForm, user: User) -> bool:
    if not verify_password(user.password_hash, form.password.data):
        return False
    return not user.totp_secret or mfa.verify_second_factor(user, form.code.data or "")


def _reauth_failed():
    if register_reauth_failure():  # too many guesses on this session: it ends, a full login is needed
        _logout()
        flash(_("本人確認に続けて失敗したため、ログアウトしました。もう一度ログインしてください。"), "error")
        return redirect(url_for("auth.login") if g.get("tenant") is not None else url_for("admin_auth.admin_login"))
    db.session.commit()
    return None


def _reauth():
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login") if g.get("tenant") is not None else url_for("admin_auth.admin_login"))
    user, form = current_user._get_current_object(), ReauthForm()
    if form.validate_on_submit():
        if _reauth_check(form, user):
            mark_reauthenticated()
            record_audit("auth.reauth", tenant_id=user.tenant_id, actor=user, target=user)
            db.session.commit()
            return redirect(safe_next_url(_home()))
        response = _reauth_failed()
        if response is not None:
            return response
        flash(_("パスワードまたは確認コードが正しくありません。"), "error")
    status = 400 if form.is_submitted() else 200
    return render_template("auth/reauth.html", form=form, has_totp=bool(user.totp_secret),
                           minutes=current_app.config.get("REAUTH_MINUTES", 10)), status


@bp.route("/reauth", methods=["GET", "POST"])
def reauth():
    """Re-authentication before a sensitive action (password, plus TOTP code when enrolled), then
    back to `next` (local paths only)."""
    return _reauth()


@admin_bp.route("/reauth", methods=["GET", "POST"])
def admin_reauth():
    """Re-authentication for platform admins."""
    return _reauth()


def current_role() -> Role | None:
    """The logged-in user's role in templates, or None."""
    return current_user.role if current_user.is_authenticated else None


from app.auth import mfa_views  # noqa: E402,F401  (registers the TOTP routes on bp / admin_bp)
