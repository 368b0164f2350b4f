"""TOTP pages: the login's second step and the enrolment / recovery-code / disable pages, for
tenant users (`/t/<slug>/…`) and platform admins (`/admin/…`). Routes are registered on the
blueprints of `app.auth.views`."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth import mfa, throttle
from app.auth.forms import EnrolForm, SecondFactorForm
from app.auth.models import Role, User
from app.auth.sessions import PENDING_KEY, end_pending_login, pending_login, recent_auth_required, start_session
from app.auth.views import admin_bp, bp
from app.core.audit import record_audit
from app.core.ratelimit import client_address, mark_failure
from app.extensions import db

ENROL_KEY = "mfa_enrol_secret"


def _in_tenant() -> bool:
    return g.get("tenant") is not None


def _url(name: str) -> str:
    return url_for(f"auth.{name}") if _in_tenant() else url_for(f"admin_auth.admin_{name}")


def _second_factor_failed(form, user: User, *, already_locked: bool = False):
    # A refused code is audited and counted; an attempt refused by the lock (no code checked) is
    # neither: the lock was audited once (issue 14 §3).
    mark_failure()
    locked = already_locked
    if not already_locked:
        record_audit("auth.mfa_failed", tenant_id=user.tenant_id, target=user)
        locked = throttle.register_failure(user.tenant_id, user.email, address=client_address())
    if locked:
        end_pending_login()
    db.session.commit()
    flash(_("確認コードが正しくありません。") if not locked else _("もう一度ログインしてください。"), "error")
    if locked:
        return redirect(_url("login"))
    return render_template("auth/login_mfa.html", form=form), 400


def _login_second_step():
    found = pending_login(g.tenant.id if _in_tenant() else None)
    if found is None:
        session.pop(PENDING_KEY, None)
        flash(_("もう一度ログインしてください。"), "info")
        return redirect(_url("login"))
    pending, user = found
    form = SecondFactorForm()
    if not form.validate_on_submit():
        return render_template("auth/login_mfa.html", form=form), (400 if form.is_submitted() else 200)
    throttle.refuse_if_account_exhausted(user.tenant_id, user.email)
    if throttle.is_locked(user.tenant_id, user.email, address=client_address()):
        return _second_factor_failed(form, user, already_locked=True)
    if not mfa.verify_second_factor(user, form.code.data):
        return _second_factor_failed(form, user)
    throttle.register_success(user.tenant_id, user.email, address=client_address())
    next_url = pending.next_url
    end_pending_login()  # one use: a replayed cookie finds no row
    start_session(user)
    record_audit("auth.mfa_passed", tenant_id=user.tenant_id, actor=user, target=user)
    db.session.commit()
    return redirect(next_url or _url("login"))


@bp.route("/login/mfa", methods=["GET", "POST"])
def login_mfa():
    """Second login step for users with TOTP: a 6-digit code (each used once) or a recovery code.
    Nothing is logged in until it succeeds; the password step is valid for 5 minutes."""
    return _login_second_step()


@admin_bp.route("/login/mfa", methods=["GET", "POST"])
def admin_login_mfa():
    """Second login step for platform admins."""
    return _login_second_step()


def _require_user():
    if not current_user.is_authenticated:
        return redirect(_url("login"))
    if not _in_tenant() and current_user.role != Role.PLATFORM_ADMIN:
        abort(404)
    return None


def _page(form=None, codes=None, status: int = 200):
    user = current_user._get_current_object()
    context = {"enrolled": bool(user.totp_secret), "codes": codes, "required": mfa.is_required_for(user),
               "form": form or EnrolForm(), "confirm_url": _url("mfa_confirm"),
               "disable_url": _url("mfa_disable"), "regenerate_url": _url("mfa_recovery_codes")}
    if user.totp_secret:
        context["remaining"] = mfa.unused_recovery_codes(user)
    else:
        secret = session.get(ENROL_KEY) or mfa.new_secret()
        session[ENROL_KEY] = secret
        uri = mfa.provisioning_uri(user, secret)
        context.update(secret=secret, uri=uri, qr=mfa.qr_data_uri(uri))
    return render_template("auth/mfa.html", **context), status


def _show():
    return _require_user() or _page()


def _confirm():
    denied = _require_user()
    if denied:
        return denied
    user, form = current_user._get_current_object(), EnrolForm()
    if user.totp_secret:
        return redirect(_url("mfa"))
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        codes = mfa.enable_totp(user, session.get(ENROL_KEY) or "", form.code.data)
    except mfa.MfaError as exc:
        form.code.errors.append(str(exc))
        return _page(form, status=400)
    session.pop(ENROL_KEY, None)
    db.session.commit()
    flash(_("2段階認証を設定しました。回復コードを安全な場所に保管してください。"), "success")
    return _page(codes=codes)


def _regenerate():
    denied = _require_user()
    if denied:
        return denied
    user = current_user._get_current_object()
    if not user.totp_secret:
        return redirect(_url("mfa"))
    codes = mfa.regenerate_recovery_codes(user)
    record_audit("auth.recovery_codes_regenerated", tenant_id=user.tenant_id, actor=user, target=user)
    db.session.commit()
    flash(_("回復コードを作り直しました。以前のコードは使えません。"), "success")
    return _page(codes=codes)


def _disable():
    denied = _require_user()
    if denied:
        return denied
    user = current_user._get_current_object()
    try:
        mfa.disable_totp(user, actor=user)
    except mfa.MfaError as exc:
        flash(str(exc), "error")
        return redirect(_url("mfa"))
    db.session.commit()
    flash(_("2段階認証を無効にしました。"), "info")
    return redirect(_url("mfa"))


@bp.route("/account/mfa", endpoint="mfa")
def mfa_page():
    """2段階認証: enrolment (secret, otpauth URI, QR code) or, once enrolled, status and actions."""
    return _show()


@bp.route("/account/mfa/confirm", methods=["POST"])
@recent_auth_required
def mfa_confirm():
    """Turn TOTP on after checking a code from the app; shows the 10 recovery codes once."""
    return _confirm()


@bp.route("/account/mfa/recovery-codes", methods=["POST"])
@recent_auth_required
def mfa_recovery_codes():
    """Replace the recovery codes (the old ones stop working); shows the new ones once."""
    return _regenerate()


@bp.route("/account/mfa/disable", methods=["POST"])
@recent_auth_required
def mfa_disable():
    """Turn TOTP off (refused for roles in MFA_REQUIRED_ROLES)."""
    return _disable()


@admin_bp.route("/account/mfa")
def admin_mfa():
    """2段階認証 for platform admins."""
    return _show()


@admin_bp.route("/account/mfa/confirm", methods=["POST"])
@recent_auth_required
def admin_mfa_confirm():
    """Platform admin: turn TOTP on."""
    return _confirm()


@admin_bp.route("/account/mfa/recovery-codes", methods=["POST"])
@recent_auth_required
def admin_mfa_recovery_codes():
    """Platform admin: replace the recovery codes."""
    return _regenerate()


@admin_bp.route("/account/mfa/disable", methods=["POST"])
@recent_auth_required
def admin_mfa_disable():
    """Platform admin: turn TOTP off (refused when required)."""
    return _disable()
