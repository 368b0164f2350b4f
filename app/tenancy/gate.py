"""Who may use a tenant in its current status (app/tenancy/states.py), checked once per request
before any view of `/t/<slug>/…` runs, so that no page, API route or export can forget it.

- 公開中: nothing to check here (each view checks roles as before).
- 停止中 / 終了: every route answers 503 with the 「停止中」 page (HTML) or `{"error": …}` (API),
  naming the program office and showing no data. Only logout still works.
- 準備中: the sign-in routes (login, TOTP step, invitation and reset links, logout) work for
  everyone, so that the first operator can accept the invitation and log in; every other route is
  for the tenant's own operators only; anyone else (anonymous, other roles, other tenants) gets
  404 with a 準備中 page that shows no data.
"""
from __future__ import annotations

from flask import g, jsonify, render_template, request
from flask_login import current_user

from app.tenancy.states import TenantStatus

# Routes of a 準備中 tenant open to everyone: signing in, and nothing that shows program data.
SIGN_IN_ENDPOINTS = frozenset({
    "auth.login", "auth.login_mfa", "auth.logout", "auth.keepalive", "auth.reauth",
    "auth.mfa", "auth.mfa_confirm",
    "account_access.accept_invitation", "account_access.reset_password", "account_access.forgot_password",
})
# The role that configures a program while it is 準備中 (`Role.OPERATOR`; tenancy sits below auth,
# so it names the stored value rather than importing the enum).
PREPARING_ROLE = "operator"


def _is_operator_of(tenant) -> bool:
    # current_user is loaded inside this tenant only (app.auth.views.load_user), so a member of
    # another tenant or a platform admin is anonymous here.
    return bool(current_user.is_authenticated) and current_user.tenant_id == tenant.id \
        and str(current_user.role) == PREPARING_ROLE


def _closed(tenant):
    message = f"{tenant.prefecture} {tenant.office_name}"
    if request.blueprint == "api":
        return jsonify(error=f"この事業は現在停止中です。お問い合わせ: {message}"), 503
    return render_template("tenancy/closed.html", closed=tenant, office=message), 503


def _preparing():
    if request.blueprint == "api":
        return jsonify(error="見つかりません。"), 404
    return render_template("tenancy/preparing.html"), 404


def check_tenant_status():
    """`before_request` hook: the response for a request the tenant's status closes, else None."""
    tenant = getattr(g, "tenant", None)
    if tenant is None or tenant.status == TenantStatus.OPEN:
        return None
    if tenant.is_closed:
        return None if request.endpoint == "auth.logout" else _closed(tenant)
    if request.endpoint in SIGN_IN_ENDPOINTS or _is_operator_of(tenant):
        return None
    return _preparing()
