"""ユーザー管理 (routes under /t/<tenant_slug>/users): operators list, invite, deactivate,
reactivate and re-role the tenant's users. Operator only (others: 404), and every page asks for a
recent authentication (`recent_auth_required`: user management is a sensitive action)."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.accounts import queries, services
from app.accounts.forms import InviteForm, RoleFields, UserFilterForm
from app.auth.models import Role
from app.auth.permissions import role_required
from app.auth.services import AccountError
from app.auth.sessions import recent_auth_required
from app.extensions import db
from app.core.web import PAGE_ARG

bp = Blueprint("accounts", __name__, url_prefix="/t/<tenant_slug>")
STATUS = {"active": True, "inactive": False}


def _org_choices(blank: str) -> list[SelectChoice]:
    return [SelectChoice("", blank)] + [SelectChoice(o.id, f"{o.name}（{o.kind.label}）")
                                        for o in queries.organisations(g.tenant)]


@bp.route("/users")
@role_required(Role.OPERATOR)
@recent_auth_required
def index():
    """ユーザー管理: the tenant's users with role, organisation, state, last login and pending invitations."""
    form = UserFilterForm(request.args)
    form.organisation.choices = _org_choices(_("すべて"))
    valid = form.validate()
    page = queries.users_page(g.tenant, role=Role(form.role.data) if valid and form.role.data else None,
                              organisation_id=form.organisation.data if valid else None,
                              active=STATUS.get(form.status.data) if valid else None,
                              page=request.args.get("page", 1, type=PAGE_ARG))
    pending = queries.pending_invitations(u.id for u in page.items)
    return render_template("accounts/index.html", form=form, page=page, pending=pending)


@bp.route("/users/invite", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
@recent_auth_required
def invite():
    """招待: create an account that can log in only after its owner sets a password through the
    e-mailed link (valid 72 hours, once)."""
    form = InviteForm()
    form.organisation.choices = _org_choices(_("選んでください"))
    if form.validate_on_submit():
        try:
            user = services.invite_user(g.tenant, email=form.email.data, display_name=form.display_name.data,
                                        role=Role(form.role.data), actor=current_user._get_current_object(),
                                        organisation=queries.organisation_in(g.tenant, form.organisation.data))
        except AccountError as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s さんに招待メールを送信しました（リンクの有効期限は72時間です）。", name=user.display_name), "success")
            return redirect(url_for(".detail", user_id=user.id))
    return render_template("accounts/invite.html", form=form), 400 if form.is_submitted() else 200


def _detail(user, role_form=None, status: int = 200):
    if role_form is None:
        role_form = RoleFields(formdata=None, data={"role": user.role.value, "organisation": user.organisation_id})
    role_form.organisation.choices = _org_choices(_("選んでください"))
    return render_template("accounts/detail.html", user=user, role_form=role_form,
                           pending=queries.invitation_pending(user)), status


@bp.route("/users/<int:user_id>")
@role_required(Role.OPERATOR)
@recent_auth_required
def detail(user_id: int):
    """One user: state, last login, invitation; buttons to deactivate / reactivate / re-send, and the role form."""
    return _detail(queries.user_or_404(g.tenant, user_id))


def _act(user_id: int, action, done: str):
    """Run `action(tenant, user, actor=…)`, commit, flash `done`; on `AccountError` flash it."""
    user = queries.user_or_404(g.tenant, user_id)
    try:
        action(g.tenant, user, actor=current_user._get_current_object())
    except AccountError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for(".detail", user_id=user_id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@role_required(Role.OPERATOR)
@recent_auth_required
def deactivate(user_id: int):
    """Deactivate: the user cannot log in and every session of theirs ends at once."""
    return _act(user_id, services.deactivate_user, _("利用者を無効化しました。ログイン中のセッションも終了しました。"))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@role_required(Role.OPERATOR)
@recent_auth_required
def reactivate(user_id: int):
    """Reactivate: the user can log in again with their password."""
    return _act(user_id, services.reactivate_user, _("利用者を有効にしました。"))


@bp.route("/users/<int:user_id>/resend-invitation", methods=["POST"])
@role_required(Role.OPERATOR)
@recent_auth_required
def resend_invitation(user_id: int):
    """Re-send the invitation: a new link (72 hours); earlier links stop working."""
    return _act(user_id, services.resend_invitation, _("招待メールを再送しました。以前のリンクは使えなくなりました。"))


@bp.route("/users/<int:user_id>/role", methods=["POST"])
@role_required(Role.OPERATOR)
@recent_auth_required
def change_role(user_id: int):
    """Change role and organisation; the user's sessions end so the new rights apply at next login."""
    user = queries.user_or_404(g.tenant, user_id)
    form = RoleFields()
    form.organisation.choices = _org_choices(_("選んでください"))
    if not form.validate_on_submit():
        return _detail(user, form, 400)
    try:
        services.change_role(g.tenant, user, Role(form.role.data), queries.organisation_in(g.tenant, form.organisation.data),
                             actor=current_user._get_current_object())
    except AccountError as exc:
        db.session.rollback()
        form.form_errors.append(str(exc))
        return _detail(queries.user_or_404(g.tenant, user_id), form, 409)
    db.session.commit()
    flash(_("役割を変更しました。この利用者のセッションは終了しました。"), "success")
    return redirect(url_for(".detail", user_id=user_id))
