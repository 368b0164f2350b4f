"""Application services: create, edit, submit, withdraw and return applications (申込), and the
one transition function of the workflow. Services flush, never commit, never read `flask.request`.
"""
from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.applications.models import Application, ApplicationChoice
from app.applications.queries import active_application_count, published_menu_items
from app.applications.states import DECIDED, EDITABLE, TRANSITIONS, ApplicationState
from app.calls.models import Call
from app.calls.states import CallPhase
from app.core.audit import apply_transition, record_audit, record_transition
from app.core.conflicts import guard_version
from app.core.db import utcnow
from app.core.states import check_transition
from app.extensions import db
from app.menus.models import MenuItem
from app.tenancy.models import Organisation, OrganisationKind, Tenant

TEXT_FIELDS = ("issue", "goal", "desired_timing", "contact_name", "contact_email", "contact_phone")
ISSUE_MAX = 2000
CONFLICT_LABELS = {"choices": _l("希望する支援メニュー"), "issue": _l("課題"), "goal": _l("目指す姿・目標"),
                   "desired_timing": _l("希望する支援時期"), "contact_name": _l("担当者名"),
                   "contact_email": _l("担当者メールアドレス"), "contact_phone": _l("担当者電話番号")}


class ApplicationError(ValueError):
    """The application cannot be created or changed as asked (message is user-facing Japanese)."""


def transition_application(application: Application, to_state: ApplicationState, *, actor, note: str = "") -> Application:
    """Move `application` along `TRANSITIONS` (the only place that assigns `Application.state`).

    Side effects, in order: edge check (`TransitionError`); a return (差戻し) needs a reason
    (`ApplicationError`) which is kept in `return_reason`; `submitted_at` is set on submission and
    `decided_at` on 選定/非選定; state set; history row and audit event written.
    """
    check_transition("application", TRANSITIONS, application.state, to_state)
    if to_state == ApplicationState.RETURNED:
        if not note.strip():
            raise ApplicationError(_("差戻しの理由を入力してください。"))
        application.return_reason = note.strip()
    if to_state == ApplicationState.SUBMITTED:
        application.submitted_at = utcnow()
    if to_state in DECIDED:
        application.decided_at = utcnow()
    return apply_transition("application", application, to_state, actor=actor, note=note)


def _require_open(call: Call) -> None:
    if call.phase != CallPhase.APPLICATIONS or call.menu_published_at is None:
        raise ApplicationError(_("この募集は現在、申込を受け付けていません。"))


def _check_choices(call: Call, choices: list[MenuItem]) -> None:
    """Choices: 1..max_choices distinct items of the call's published menu (product.md §5)."""
    if not choices:
        raise ApplicationError(_("第1希望の支援メニューを選択してください。"))
    if len(choices) > call.max_choices:
        raise ApplicationError(_("希望は%(n)d件までです。", n=call.max_choices))
    if len({item.id for item in choices}) != len(choices):
        raise ApplicationError(_("同じ支援メニューを複数の希望に選ぶことはできません。"))
    tenant = db.session.get(Tenant, call.tenant_id)
    published = {item.id for item in published_menu_items(tenant, call)}
    if any(item.id not in published for item in choices):
        raise ApplicationError(_("公開されている支援メニューの中から選択してください。"))


def _check_fields(fields: dict) -> None:
    issue = (fields.get("issue") or "").strip()
    if not issue:
        raise ApplicationError(_("課題を入力してください。"))
    if len(issue) > ISSUE_MAX:
        raise ApplicationError(_("課題は%(n)d文字以内で入力してください。", n=ISSUE_MAX))


def _set_choices(application: Application, choices: list[MenuItem]) -> None:
    application.choices.clear()
    db.session.flush()  # the unique (application, rank) rows must go before the new ones arrive
    for rank, item in enumerate(choices, start=1):
        application.choices.append(ApplicationChoice(tenant_id=application.tenant_id, rank=rank, menu_item_id=item.id))


def create_application(call: Call, municipality: Organisation, *, actor, choices: list[MenuItem], issue: str,
                       goal: str = "", desired_timing: str = "", contact_name: str = "", contact_email: str = "",
                       contact_phone: str = "", is_sample: bool = False) -> Application:
    """Create a draft application (下書き) of `municipality` for `call` with ranked `choices`.

    Raises `ApplicationError` when the call is not taking applications (phase 申込受付 with a
    published menu), the municipality already has `call.max_applications_per_municipality`
    non-withdrawn applications (1市町村につき…, 003:1625), the choices are invalid, or the issue is
    empty or longer than 2,000 characters.
    """
    _require_open(call)
    if municipality.kind != OrganisationKind.MUNICIPALITY or municipality.tenant_id != call.tenant_id:
        raise ApplicationError(_("市町村以外は申し込めません。"))
    tenant = db.session.get(Tenant, call.tenant_id)
    # Row lock on the municipality: two simultaneous applications cannot both pass the limit (PostgreSQL).
    db.session.execute(sa.select(Organisation.id).where(Organisation.id == municipality.id,
                                                        Organisation.tenant_id == call.tenant_id).with_for_update())
    if active_application_count(tenant, call, municipality.id) >= call.max_applications_per_municipality:
        raise ApplicationError(_("この募集への申込は1市町村につき%(n)d件までです。", n=call.max_applications_per_municipality))
    fields = dict(issue=issue, goal=goal, desired_timing=desired_timing, contact_name=contact_name,
                  contact_email=contact_email, contact_phone=contact_phone)
    _check_fields(fields)
    _check_choices(call, choices)
    return create_application_row(call, municipality, actor=actor, choices=choices, fields=fields, is_sample=is_sample)


def create_application_row(call: Call, body: Organisation, *, actor, choices: list[MenuItem], fields: dict,
                           is_sample: bool = False) -> Application:
    """The draft row of `body`'s application (or 派遣依頼) in `call` with ranked `choices` and the text
    `fields` (`TEXT_FIELDS`), flushed, with its first history row. The caller checks the call, the
    body and the choices; here the issue is checked (`ApplicationError`: empty or over 2,000 characters).
    """
    _check_fields(fields)
    application = Application(tenant_id=call.tenant_id, call_id=call.id, municipality_id=body.id,
                              is_sample=is_sample, **{k: (fields.get(k) or "").strip() for k in TEXT_FIELDS})
    db.session.add(application)
    db.session.flush()
    _set_choices(application, choices)
    db.session.flush()
    record_transition("application", application, None, ApplicationState.DRAFT, actor=actor)
    return application


def _choice_lines(items: list[MenuItem]) -> list[str]:
    return [f"{rank}. No.{item.number} {item.title}" for rank, item in enumerate(items, start=1)]


def _conflict_values(application: Application) -> dict:
    """The stored choices and text fields, as the conflict page compares them with the user's input."""
    stored = [c.menu_item for c in sorted(application.choices, key=lambda c: c.rank)]
    return {"choices": _choice_lines(stored), **{k: getattr(application, k) for k in TEXT_FIELDS}}


def update_application(application: Application, *, actor, choices: list[MenuItem], version_id: int | None = None,
                       **fields) -> Application:
    """Change the choices and text fields (`TEXT_FIELDS`) of a draft or returned application.

    `version_id` is the version the form started from: when someone saved a different content in
    between, raises `ConflictError` (the page that shows the other edit; quality.md). Raises
    `ApplicationError` when it is not editable (state or call phase), for unknown fields,
    invalid choices or an empty/too long issue.
    """
    mine = {"choices": _choice_lines(choices), **{k: (fields.get(k) or "").strip() for k in TEXT_FIELDS if k in fields}}
    guard_version(application, version_id, mine=mine, theirs=lambda: _conflict_values(application), labels=CONFLICT_LABELS)
    if application.state not in EDITABLE:
        raise ApplicationError(_("この申込は現在編集できません。"))
    _require_open(application.call)
    unknown = set(fields) - set(TEXT_FIELDS)
    if unknown:
        raise ApplicationError(_("変更できない項目が含まれています。"))
    merged = {k: fields.get(k, getattr(application, k)) for k in TEXT_FIELDS}
    _check_fields(merged)
    _check_choices(application.call, choices)
    for key, value in merged.items():
        setattr(application, key, (value or "").strip())
    application.updated_at = utcnow()  # before the choices' flush: one UPDATE, one version step per save
    _set_choices(application, choices)
    db.session.flush()
    record_audit("application.update", tenant_id=application.tenant_id, actor=actor, target=application,
                 changes={"choices": [item.id for item in choices], **{k: merged[k] for k in ("issue", "goal")}})
    return application


def submit_application(application: Application, *, actor) -> Application:
    """Submit a draft or returned application (→ 提出済) while the call takes applications.

    Raises `ApplicationError` when the call is closed, or the issue or first choice is missing;
    `TransitionError` from any other state.
    """
    _require_open(application.call)
    if not application.issue.strip() or not application.choices:
        raise ApplicationError(_("課題と第1希望を入力してから提出してください。"))
    return transition_application(application, ApplicationState.SUBMITTED, actor=actor)


def withdraw_application(application: Application, *, actor) -> Application:
    """Withdraw (取下げ) an application that is not yet decided, while the call takes applications.

    Raises `ApplicationError` once applications are closed (selection works on a fixed set);
    `TransitionError` for a decided or already withdrawn application.
    """
    if application.call.phase != CallPhase.APPLICATIONS:
        raise ApplicationError(_("申込受付の終了後は取り下げできません。事務局にご連絡ください。"))
    return transition_application(application, ApplicationState.WITHDRAWN, actor=actor)


def return_application(application: Application, *, actor, reason: str) -> Application:
    """Return a submitted application for revision (差戻し) with `reason`, shown to the municipality.

    Raises `ApplicationError` without a reason or once applications are closed; `TransitionError`
    unless the application is submitted.
    """
    if application.call.phase != CallPhase.APPLICATIONS:
        raise ApplicationError(_("申込受付の終了後は差戻しできません。"))
    return transition_application(application, ApplicationState.RETURNED, actor=actor, note=reason)


def menu_items_by_ids(call: Call, item_ids: list[int]) -> list[MenuItem]:
    """The published items of `call` with `item_ids`, in the given order (unknown ids raise).

    Raises `ApplicationError` when an id is not an item of the call's published menu.
    """
    tenant = db.session.get(Tenant, call.tenant_id)
    by_id = {item.id: item for item in published_menu_items(tenant, call)}
    if any(i not in by_id for i in item_ids):
        raise ApplicationError(_("公開されている支援メニューの中から選択してください。"))
    return [by_id[i] for i in item_ids]

