"""Self-service account pages (routes under /t/<tenant_slug>/): accepting an invitation, 「パスワード
をお忘れの方」, resetting the password from the e-mailed link, and changing one's own password.

Links are single-use and expire (invitation 72 h, reset 1 h). A used, expired or unknown link gets a
Japanese 410 page and nothing is written. The reset request answers the same whether or not the
address has an account (no account enumeration).
"""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.accounts import services
from app.accounts.forms import ChangePasswordForm, ForgotForm, SetPasswordForm
from app.accounts.models import TokenPurpose
from app.accounts.tokens import valid_token
from app.auth.models import Role
from app.auth.permissions import role_required
from app.extensions import db

bp = Blueprint("account_access", __name__, url_prefix="/t/<tenant_slug>")
EVERYONE = (Role.OPERATOR, Role.REVIEWER, Role.MUNICIPAL, Role.PROVIDER)


def _gone():
    db.session.rollback()
    return render_template("errors/error.html", status=410, title=_("このリンクは使えません"),
                           message=_("リンクの有効期限が切れているか、既に使われています。"
                                     "招待の場合は事業担当者に再送を、パスワード再設定の場合はもう一度お手続きください。")), 410


def _set_password(token: str, purpose: TokenPurpose, template: str, done: str):
    """GET: the form if the link is valid; POST: set the password once, then go to the login page."""
    row = valid_token(g.tenant, token, purpose)
    if row is None:
        return _gone()
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            if not services.set_password_from_token(g.tenant, row, form.password.data):
                return _gone()
        except services.PasswordRejected as exc:
            db.session.rollback()
            form.password.errors.extend(exc.problems)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("auth.login"))
    return render_template(template, form=form, user=row.user, token=token), 400 if form.is_submitted() else 200


@bp.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """Accept an invitation: choose a password (twice); the account can log in from then on."""
    return _set_password(token, TokenPurpose.INVITE, "accounts/accept.html",
                         _("パスワードを設定しました。メールアドレスと新しいパスワードでログインしてください。"))


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Reset a forgotten password from the e-mailed link; every session of the account ends."""
    return _set_password(token, TokenPurpose.RESET, "accounts/reset.html",
                         _("パスワードを再設定しました。新しいパスワードでログインしてください。"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    """「パスワードをお忘れの方」: e-mail a reset link (1 hour). The answer never tells whether the
    address has an account; at most a few links per account and hour are sent."""
    form = ForgotForm()
    if form.validate_on_submit():
        services.request_password_reset(g.tenant, form.email.data)
        db.session.commit()
        flash(_("ご入力のメールアドレスが登録されている場合は、パスワード再設定用のリンクをお送りしました。"
                "リンクの有効期限は1時間です。メールが届かない場合は事業担当者にお問い合わせください。"), "info")
        return redirect(url_for("auth.login"))
    return render_template("accounts/forgot.html", form=form), 400 if form.is_submitted() else 200


@bp.route("/account/password", methods=["GET", "POST"])
@role_required(*EVERYONE)
def change_password():
    """Change one's own password (current password, then the new one twice); other sessions end."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user._get_current_object(), form.current.data, form.password.data)
        except services.WrongCurrentPassword as exc:
            db.session.commit()  # keep the audit of the failed attempt
            form.current.errors.append(str(exc))
        except services.PasswordRejected as exc:
            db.session.rollback()
            form.password.errors.extend(exc.problems)
        else:
            db.session.commit()
            flash(_("パスワードを変更しました。他の端末のログインは終了しました。"), "success")
            return redirect(url_for("home.index"))
    return render_template("accounts/change_password.html", form=form), 400 if form.is_submitted() else 200
