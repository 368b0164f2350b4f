"""Views of the audit trail (routes under /t/<tenant_slug>/): the operator's 監査ログ."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_babel import gettext as _
from wtforms import SelectChoice

from app.audit import queries
from app.audit.display import actor_name, describe_changes, target_text
from app.audit.filters import AuditFilterForm, filter_from_form
from app.audit.labels import action_label, role_label, target_label
from app.auth.models import Role
from app.auth.permissions import role_required
from app.core.web import PAGE_ARG

bp = Blueprint("audit", __name__, url_prefix="/t/<tenant_slug>")


def _choices(form: AuditFilterForm) -> None:
    everything = SelectChoice("", _("すべて"))
    form.action.choices = [everything, *(SelectChoice(a, action_label(a)) for a in queries.actions_present(g.tenant))]
    form.actor.choices = [everything, *(SelectChoice(str(uid), name) for uid, name in queries.actors_present(g.tenant))]
    form.target_type.choices = [everything, *(SelectChoice(t, target_label(t)) for t in queries.target_types_present(g.tenant))]


@bp.route("/audit")
@role_required(Role.OPERATOR)
def index():
    """監査ログ: the tenant's audit events newest first, 50 a page, filtered by 期間 (JST dates), 操作,
    実行者, 対象種別 and リクエストID; operators only (others 404). An invalid filter is shown with a
    Japanese message and 400, and the list ignores that field. 「Excel出力」 carries the filters."""
    form = AuditFilterForm(formdata=request.args)
    _choices(form)
    filters = filter_from_form(form)
    page = queries.audit_page(g.tenant, filters, request.args.get("page", 1, type=PAGE_ARG))
    return render_template("audit/index.html", form=form, page=page,
                           action_label=action_label, role_label=role_label, actor_name=actor_name,
                           describe_changes=describe_changes, target_text=target_text), 400 if form.errors else 200
