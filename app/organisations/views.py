"""組織管理 (routes under /t/<tenant_slug>/organisations): the operator lists the tenant's
municipalities, providers and other applicant bodies per kind, creates, edits, deactivates and
reactivates them, and reaches their Excel imports. Other roles get 404."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from app.auth.models import Role
from app.auth.permissions import role_required
from app.core.web import PAGE_ARG
from app.extensions import db
from app.organisations import queries, services
from app.organisations.forms import BLANK_THEMES, OrganisationFilterForm, ProviderForm, form_class, theme_values
from app.organisations.permissions import can_manage_organisation
from app.organisations.services import OrganisationError
from app.tenancy.models import Organisation, OrganisationKind

bp = Blueprint("organisations", __name__, url_prefix="/t/<tenant_slug>/organisations")
STATUS = {"active": True, "inactive": False}
# Which Excel import (app.imports.states.ImportKind value) fills each kind of list.
IMPORT_KINDS = {OrganisationKind.MUNICIPALITY: "municipalities", OrganisationKind.PROVIDER: "providers",
                OrganisationKind.BOARD_OF_EDUCATION: "bodies", OrganisationKind.CHAMBER_OF_COMMERCE: "bodies"}


def _kind_arg() -> OrganisationKind:
    """`?kind=` among the tenant's kinds (default: municipalities); anything else is 404."""
    value = request.args.get("kind", OrganisationKind.MUNICIPALITY.value)
    kinds = queries.managed_kinds(g.tenant)
    if value not in {k.value for k in kinds}:
        abort(404)
    return OrganisationKind(value)


def _organisation_or_404(organisation_id: int) -> Organisation:
    org = queries.organisation_or_404(g.tenant, organisation_id)
    if not can_manage_organisation(current_user, org):
        abort(404)
    return org


def _tabs():
    return [(k, queries.kind_label(g.tenant, k)) for k in queries.managed_kinds(g.tenant)]


@bp.route("/")
@role_required(Role.OPERATOR)
def index():
    """組織管理: one list per kind (tabs), searchable by name / よみがな / code, with state and users."""
    kind = _kind_arg()
    form = OrganisationFilterForm(request.args)
    valid = form.validate()
    page = queries.organisations_page(g.tenant, kind, search=form.q.data if valid and form.q.data else "",
                                      active=STATUS.get(form.status.data) if valid else None,
                                      page=request.args.get("page", 1, type=PAGE_ARG))
    return render_template("organisations/index.html", kind=kind, tabs=_tabs(), form=form, page=page,
                           users=queries.user_counts(g.tenant, (o.id for o in page.items)),
                           label=queries.kind_label(g.tenant, kind), import_kind=IMPORT_KINDS[kind],
                           has_themes=services.has_themes(g.tenant))


def _prepare(form, tenant) -> None:
    """Choices of the theme rows and the blank rows offered for new themes."""
    if not isinstance(form, ProviderForm):
        return
    if not services.has_themes(tenant):
        del form.themes
        return
    while len(form.themes.entries) < len(theme_values(form)) + BLANK_THEMES and len(form.themes.entries) < form.themes.max_entries:
        form.themes.append_entry()
    for entry in form.themes:
        entry.form.categories.choices = [SelectChoice(c["code"], c["label"]) for c in tenant.categories or []]


def _values(form, tenant, kind: OrganisationKind) -> dict:
    values = {key: form[key].data for key in services.fields_for(tenant, kind) if key in form and key != "themes"}
    if "themes" in services.fields_for(tenant, kind):
        values["themes"] = theme_values(form)
    return {k: (v or "") if k not in ("is_evacuation_area", "themes") else v for k, v in values.items()}


def _show_problems(form, exc: OrganisationError) -> None:
    for key, message in exc.problems:
        if key and key in form:
            form[key].errors = [*form[key].errors, message]
        else:
            form.form_errors.append(message)


def _rule_problems(form, kind: OrganisationKind, org: Organisation | None) -> None:
    """When the form itself is refused, the tenant's rules are still checked for the other fields,
    so that one submission shows every problem at once."""
    problems = services.check_values(g.tenant, kind, _values(form, g.tenant, kind), exclude_id=org.id if org else None)
    _show_problems(form, OrganisationError([(k, m) for k, m in problems if not (k and k in form and form[k].errors)]))


def _render_form(form, kind: OrganisationKind, org: Organisation | None, status: int):
    users = queries.user_counts(g.tenant, [org.id]).get(org.id, 0) if org is not None else 0
    return render_template("organisations/form.html", form=form, kind=kind, org=org, users=users,
                           label=queries.kind_label(g.tenant, kind), has_themes=services.has_themes(g.tenant),
                           single_adviser=services.is_single_adviser(g.tenant)), status


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def new():
    """Register an organisation of `?kind=` (validated with the tenant's rules; audited)."""
    kind = _kind_arg()
    form = form_class(g.tenant, kind.value)()
    _prepare(form, g.tenant)
    if form.validate_on_submit():
        try:
            org = services.create_organisation(g.tenant, kind, _values(form, g.tenant, kind),
                                               actor=current_user._get_current_object())
        except OrganisationError as exc:
            db.session.rollback()
            _show_problems(form, exc)
        else:
            db.session.commit()
            flash(_("「%(name)s」を登録しました。", name=org.name), "success")
            return redirect(url_for(".edit", organisation_id=org.id))
    elif form.is_submitted():
        _rule_problems(form, kind, None)
    return _render_form(form, kind, None, 400 if form.is_submitted() else 200)


@bp.route("/<int:organisation_id>", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def edit(organisation_id: int):
    """One organisation: its form (saved with the changed fields audited), its state and accounts,
    and the button that deactivates or reactivates it."""
    org = _organisation_or_404(organisation_id)
    cls = form_class(g.tenant, org.kind.value)
    form = cls() if request.method == "POST" else cls(data={k: getattr(org, k) for k in services.fields_for(g.tenant, org.kind)})
    _prepare(form, g.tenant)
    if form.validate_on_submit():
        try:
            changes = services.update_organisation(g.tenant, org, _values(form, g.tenant, org.kind),
                                                   actor=current_user._get_current_object())
        except OrganisationError as exc:
            db.session.rollback()
            _show_problems(form, exc)
        else:
            db.session.commit()
            flash(_("保存しました。") if changes else _("変更はありませんでした。"), "success" if changes else "info")
            return redirect(url_for(".edit", organisation_id=org.id))
    elif form.is_submitted():
        _rule_problems(form, org.kind, org)
    return _render_form(form, org.kind, org, 400 if form.is_submitted() else 200)


def _state_change(organisation_id: int, change):
    org = _organisation_or_404(organisation_id)  # CSRF: checked for every POST (CSRFProtect)
    try:
        result = change(g.tenant, org, actor=current_user._get_current_object())
    except OrganisationError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for(".edit", organisation_id=org.id))
    db.session.commit()
    return org, result


@bp.route("/<int:organisation_id>/deactivate", methods=["POST"])
@role_required(Role.OPERATOR)
def deactivate(organisation_id: int):
    """無効にする: the organisation's users can no longer log in and their sessions end; its records stay."""
    outcome = _state_change(organisation_id, services.deactivate_organisation)
    if not isinstance(outcome, tuple):
        return outcome
    org, result = outcome
    flash(_("「%(name)s」を無効にしました。所属する利用者%(users)d名はログインできなくなり、ログイン中だった%(sessions)d件のセッションを終了しました。",
            name=org.name, users=result["users"], sessions=result["sessions"]), "success")
    return redirect(url_for(".edit", organisation_id=org.id))


@bp.route("/<int:organisation_id>/reactivate", methods=["POST"])
@role_required(Role.OPERATOR)
def reactivate(organisation_id: int):
    """有効に戻す: its active accounts can log in again with their passwords."""
    outcome = _state_change(organisation_id, services.reactivate_organisation)
    if not isinstance(outcome, tuple):
        return outcome
    org, _result = outcome
    flash(_("「%(name)s」を有効に戻しました。", name=org.name), "success")
    return redirect(url_for(".edit", organisation_id=org.id))
