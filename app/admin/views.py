"""Platform admin pages (`/admin/…`, platform admins only; others 404): the tenants of the
installation, creating one (it starts 準備中), its lifecycle buttons 公開・停止・再開・終了, and the
invitation of its first operator. Every state change asks for a recent authentication."""
import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.admin.forms import OperatorInviteForm, TenantForm, TransitionForm
from app.admin.queries import get_tenant, tenant_summary
from app.admin.services import (
    REASON_REQUIRED, PlatformAdminError, create_tenant, invite_first_operator, transition_tenant,
)
from app.audit.display import actor_name, target_text
from app.audit.labels import action_label, role_label
from app.auth.models import Role
from app.auth.permissions import platform_admin_required
from app.auth.services import AccountError
from app.auth.sessions import recent_auth_required
from app.core.audit import record_audit
from app.core.states import TransitionError
from app.extensions import db
from app.tenancy.models import OrganisationKind, Tenant
from app.tenancy.states import TRANSITIONS, TenantStatus

bp = Blueprint("admin", __name__, url_prefix="/admin")

# Button → (the status it starts from, the status it leads to); 終了 from any status that allows it.
ACTIONS: dict[str, tuple[frozenset, TenantStatus]] = {
    "open": (frozenset({TenantStatus.PREPARING}), TenantStatus.OPEN),
    "suspend": (frozenset({TenantStatus.OPEN}), TenantStatus.SUSPENDED),
    "reopen": (frozenset({TenantStatus.SUSPENDED}), TenantStatus.OPEN),
    "archive": (frozenset(s for s, targets in TRANSITIONS.items() if TenantStatus.ARCHIVED in targets),
                TenantStatus.ARCHIVED),
}
ACTION_LABELS = {"open": "公開する", "suspend": "停止する", "reopen": "再開する", "archive": "終了する"}


def _me():
    return current_user._get_current_object()


def _tenant_or_404(tenant_id: int) -> Tenant:
    row = get_tenant(tenant_id)
    if row is None:
        abort(404)
    return row


def _actions_for(tenant: Tenant) -> list[tuple[str, str, bool]]:
    """The buttons `tenant`'s status allows: (action, Japanese label, reason required)."""
    return [(key, ACTION_LABELS[key], to in REASON_REQUIRED)
            for key, (sources, to) in ACTIONS.items() if tenant.status in sources]


def _add_error(form, exc: PlatformAdminError) -> None:
    """Show a service error next to the field it names (or above the form)."""
    if exc.field in form:
        form[exc.field].errors = [*form[exc.field].errors, str(exc)]
    else:
        form.form_errors.append(str(exc))


@bp.route("/")
@platform_admin_required
def index():
    """The tenants of this installation with their status."""
    tenants = db.session.scalars(sa.select(Tenant).order_by(Tenant.id)).all()
    return render_template("admin/index.html", tenants=tenants)


@bp.route("/tenants/new", methods=["GET", "POST"])
@platform_admin_required
@recent_auth_required
def new_tenant():
    """事業の作成: slug, prefecture, program name and office; the tenant starts 準備中 with its
    program-office organisation, and nobody but its operators sees it until it is opened."""
    form = TenantForm()
    if form.validate_on_submit():
        try:
            row = create_tenant(slug=form.slug.data, prefecture=form.prefecture.data, name=form.name.data,
                                office_name=form.office_name.data, actor=_me())
        except PlatformAdminError as exc:
            db.session.rollback()
            _add_error(form, exc)
        else:
            db.session.commit()
            flash(_("事業「%(name)s」を準備中として作成しました。最初の事業担当者を招待してください。", name=row.name), "success")
            return redirect(url_for(".tenant", tenant_id=row.id))
    return render_template("admin/tenant_new.html", form=form), 400 if form.is_submitted() else 200


def _tenant_page(row: Tenant, *, form=None, failed: str = "", status: int = 200):
    return render_template("admin/tenant.html", s=tenant_summary(row), Role=Role, OrganisationKind=OrganisationKind,
                           action_label=action_label, role_label=role_label, actor_name=actor_name,
                           target_text=target_text, actions=_actions_for(row), form=form or TransitionForm(formdata=None),
                           failed=failed), status


@bp.route("/tenants/<int:tenant_id>")
@platform_admin_required
def tenant(tenant_id: int):
    """One tenant's summary for a platform admin (others 404): status and its buttons,
    organisations by kind, users by role, calls and the newest audit events. Every view is itself
    audited as `admin.tenant_view` under that tenant, so its operators see the access on their
    監査ログ page."""
    row = _tenant_or_404(tenant_id)
    record_audit("admin.tenant_view", tenant_id=row.id, actor=current_user, target=row, changes={"tenant": row.slug})
    db.session.commit()
    return _tenant_page(row)


@bp.route("/tenants/<int:tenant_id>/status/<action>", methods=["POST"])
@platform_admin_required
@recent_auth_required
def change_status(tenant_id: int, action: str):
    """公開 (準備中→公開中), 停止 (公開中→停止中), 再開 (停止中→公開中), 終了 (→終了, final). 停止 and
    終了 need a reason. A button that no longer fits the status (another admin acted first) → 409."""
    row = _tenant_or_404(tenant_id)
    if action not in ACTIONS:
        abort(404)
    db.session.refresh(row, with_for_update=True)  # two admins pressing at once: the second sees the new status
    sources, to_status = ACTIONS[action]
    if row.status not in sources:
        raise TransitionError("tenant", str(row.status), str(to_status))
    form = TransitionForm()
    if form.validate_on_submit():
        try:
            transition_tenant(row, to_status, actor=_me(), reason=form.reason.data or "")
        except PlatformAdminError as exc:
            db.session.rollback()
            form.reason.errors = [str(exc)]
        else:
            db.session.commit()
            flash(_("事業「%(name)s」を%(status)sにしました。", name=row.name, status=to_status.label), "success")
            return redirect(url_for(".tenant", tenant_id=row.id))
    return _tenant_page(row, form=form, failed=action, status=400)


@bp.route("/tenants/<int:tenant_id>/invite", methods=["GET", "POST"])
@platform_admin_required
@recent_auth_required
def invite_operator(tenant_id: int):
    """最初の事業担当者の招待: the single-use invitation of ユーザー管理 (72 hours), queued in the
    tenant's outbox; the operator then sets a password and logs in, also while 準備中."""
    row = _tenant_or_404(tenant_id)
    if row.is_closed:
        abort(404)
    form = OperatorInviteForm()
    if form.validate_on_submit():
        try:
            user = invite_first_operator(row, email=form.email.data, display_name=form.display_name.data, actor=_me())
        except (PlatformAdminError, AccountError) as exc:
            db.session.rollback()
            form.form_errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("%(name)s さんに招待メールを送信しました（リンクの有効期限は72時間です）。", name=user.display_name), "success")
            return redirect(url_for(".tenant", tenant_id=row.id))
    return render_template("admin/invite.html", form=form, t=row), 400 if form.is_submitted() else 200
