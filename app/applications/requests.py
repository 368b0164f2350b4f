"""派遣依頼 (dispatch requests) of continuous and on-demand programs (静岡県・宮城県-style, digest §2.3).

A request is an `Application` with one choice (an expert's theme or the adviser's menu item) in a
call that takes requests (`Call.takes_requests`). An applicant body files it at any time of the
year (it is submitted at once); the program office decides each one on its own: 承認 creates the
engagement with the item's provider (`app.engagements.services.assign_engagement`), 不承認 needs a
reason. Quota: at most `call.max_dispatches_per_body` requests per body and fiscal year, counting
pending and approved ones (1団体につき年５回まで, 003:1646); None means no quota (宮城県, 003:1608).
Services flush, never commit, never read `flask.request`.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _

from app.applications.models import Application
from app.applications.queries import published_menu_items
from app.applications.services import (
    ApplicationError,
    create_application_row,
    transition_application,
)
from app.applications.states import ApplicationState
from app.calls.models import Call
from app.core.wareki import fiscal_year_label
from app.engagements.services import assign_engagement
from app.extensions import db
from app.menus.models import MenuItem
from app.tenancy.models import APPLICANT_KINDS, Organisation, Tenant

# Requests that use up the quota: waiting for a decision, or approved (a dispatch).
QUOTA_STATES = (ApplicationState.SUBMITTED, ApplicationState.SELECTED)


def dispatch_count(call: Call, body_id: int, *, states=QUOTA_STATES) -> int:
    """Requests of body `body_id` in `call` (= its fiscal year) in `states` (default: pending + approved)."""
    stmt = sa.select(sa.func.count(Application.id)).where(
        Application.tenant_id == call.tenant_id, Application.call_id == call.id,
        Application.municipality_id == body_id, Application.state.in_(states))
    return db.session.scalar(stmt) or 0


def quota_message(call: Call, count: int) -> str:
    """The Japanese message shown when a body has reached the quota of `call`."""
    return _("派遣の依頼は1団体につき年度内%(n)d回までです（%(fy)s：審査中・承認済あわせて%(count)d件）。",
             n=call.max_dispatches_per_body, fy=fiscal_year_label(call.fiscal_year), count=count)


def quota_problem(call: Call, body_id: int) -> str | None:
    """Why body `body_id` may not file another request in `call` now (Japanese), or None."""
    if call.max_dispatches_per_body is None:
        return None
    count = dispatch_count(call, body_id)
    return quota_message(call, count) if count >= call.max_dispatches_per_body else None


def _lock_body(call: Call, body: Organisation) -> None:
    # Row lock on the body: two simultaneous requests cannot both pass the quota (PostgreSQL).
    db.session.execute(sa.select(Organisation.id).where(
        Organisation.id == body.id, Organisation.tenant_id == call.tenant_id).with_for_update())


def _check_body(call: Call, body: Organisation) -> None:
    tenant = db.session.get(Tenant, call.tenant_id)
    kinds = tenant.rule("applicant_kinds", ["municipality"])
    if body.tenant_id != call.tenant_id or body.kind not in APPLICANT_KINDS or body.kind.value not in kinds:
        raise ApplicationError(_("この事業に派遣を依頼できる団体ではありません。"))


def submit_request(call: Call, body: Organisation, *, actor, menu_item: MenuItem, issue: str, desired_timing: str = "",
                   goal: str = "", contact_name: str = "", contact_email: str = "", contact_phone: str = "",
                   is_sample: bool = False) -> Application:
    """File a 派遣依頼 of `body` (市町村・教育委員会・商工会 as the tenant's `applicant_kinds` allow) for
    `menu_item` (a theme of the call's published menu); it is submitted (提出済) at once.

    Raises `ApplicationError` (Japanese) when the call does not take requests, the body may not
    request, the quota is reached (`quota_message`), the item is not on the menu, or the issue
    (what support is wanted) is empty or longer than 2,000 characters.
    """
    if not call.takes_requests:
        raise ApplicationError(_("この年度は現在、派遣の依頼を受け付けていません。"))
    _check_body(call, body)
    _lock_body(call, body)
    if problem := quota_problem(call, body.id):
        raise ApplicationError(problem)
    tenant = db.session.get(Tenant, call.tenant_id)
    if menu_item.id not in {item.id for item in published_menu_items(tenant, call)}:
        raise ApplicationError(_("登録されているテーマの中から選択してください。"))
    application = create_application_row(
        call, body, actor=actor, choices=[menu_item], is_sample=is_sample or call.is_sample,
        fields={"issue": issue, "goal": goal, "desired_timing": desired_timing, "contact_name": contact_name,
                "contact_email": contact_email, "contact_phone": contact_phone})
    return transition_application(application, ApplicationState.SUBMITTED, actor=actor)


def approve_request(application: Application, *, actor, note: str = ""):
    """The program office approves (承認) a pending request: → 選定 (shown as 承認) and an engagement
    with the provider of the chosen item, through `assign_engagement`. Returns the engagement.

    Raises `ApplicationError` when it is not a request of a call taking requests, or when the body
    already has `max_dispatches_per_body` approved dispatches this fiscal year (003:1646);
    `TransitionError` unless the request is pending (提出済).
    """
    call = _request_call(application)
    _lock_body(call, application.municipality)
    limit = call.max_dispatches_per_body
    if limit is not None:
        approved = dispatch_count(call, application.municipality_id, states=(ApplicationState.SELECTED,))
        if approved >= limit:
            raise ApplicationError(_("この団体は%(fy)sの派遣が上限（%(n)d回）に達しているため承認できません。",
                                     fy=fiscal_year_label(call.fiscal_year), n=limit))
    application.decision_reason = note.strip()
    transition_application(application, ApplicationState.SELECTED, actor=actor, note=note)
    return assign_engagement(call=call, application=application, menu_item=application.choices[0].menu_item, actor=actor)


def decline_request(application: Application, *, actor, reason: str) -> Application:
    """The program office declines (不承認) a pending request with `reason`, shown to the body.

    Raises `ApplicationError` without a reason or when it is not a request; `TransitionError`
    unless the request is pending. A declined request frees its place in the quota.
    """
    _request_call(application)
    if not reason.strip():
        raise ApplicationError(_("不承認の理由を入力してください。"))
    application.decision_reason = reason.strip()
    return transition_application(application, ApplicationState.NOT_SELECTED, actor=actor, note=reason)


def withdraw_request(application: Application, *, actor) -> Application:
    """The body withdraws (取下げ) a pending request; it no longer counts towards the quota.

    Raises `ApplicationError` when it is not a request; `TransitionError` unless it is pending.
    """
    _request_call(application)
    return transition_application(application, ApplicationState.WITHDRAWN, actor=actor)


def _request_call(application: Application) -> Call:
    call = application.call
    if not call.takes_requests:
        raise ApplicationError(_("この年度は現在、派遣の依頼を受け付けていません。"))
    return call
