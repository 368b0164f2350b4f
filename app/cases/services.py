"""Case services: draft a case page (003 format, digest §4.2) from a finished engagement, edit it,
and move it draft → approval by the municipality and the provider (each may hold back fields) →
published by the operator. Services flush, never commit, never read `flask.request`. Cases never
carry personal data: contact fields are never copied, and the personal-data guard blocks
publication."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.applications.models import Application
from app.auth.models import Role
from app.cases import drafting
from app.cases.guard import Finding, find_personal_data
from app.cases.models import Case
from app.cases.publication import search_text_of
from app.cases.states import (APPROVAL_EDGES, AWAITING_STATES, DX_STEPS, HOLDABLE_FIELDS, MUNICIPALITY, TEXT_FIELDS,
                              TRANSITIONS, CaseState)
from app.core.audit import apply_transition, record_audit, record_transition
from app.core.conflicts import guard_version
from app.core.db import utcnow
from app.core.states import check_transition
from app.engagements.services import report_of
from app.engagements.states import EngagementState
from app.extensions import db
from app.surveys.queries import response_of
from app.tenancy.labels import provider_label
from app.tenancy.models import Tenant

DRAFTABLE_STATES = {EngagementState.COMPLETED, EngagementState.CLOSED}
CONFLICT_LABELS = {**TEXT_FIELDS, "dx_step": _l("DXステップ"), "categories": _l("分類"), "population": _l("人口（人）")}
EDITABLE_FIELDS = ("title", "key_points", "overview", "outcomes", "dx_step", "categories", "population",
                   "population_basis", "related_url", "similar_organisations")


class CaseError(ValueError):
    """The case cannot be created or changed as asked (message is user-facing Japanese)."""


def create_case_draft(engagement, *, actor) -> Case:
    """Create the DRAFT case of a COMPLETED or CLOSED engagement (`app.cases.drafting`).

    Title 「事例：<menu item>による支援【<prefecture><municipality>】」 (003 format); key points,
    overview, outcomes (the report's), categories, DX step, similar organisations and fiscal year
    are filled in; population stays empty (tenant data holds no population figures, and none is
    invented). Raises `CaseError` for other states or when the engagement already has a case.
    """
    if engagement.state not in DRAFTABLE_STATES:
        raise CaseError(_("支援完了または終了した案件からのみ事例を作成できます。"))
    if db.session.scalar(sa.select(Case.id).where(Case.engagement_id == engagement.id, Case.tenant_id == engagement.tenant_id)):
        raise CaseError(_("この支援案件の事例は既に作成されています。"))
    tenant = db.session.get(Tenant, engagement.tenant_id)
    application = db.session.scalar(sa.select(Application).where(
        Application.id == engagement.application_id, Application.tenant_id == engagement.tenant_id)) if engagement.application_id else None
    report = report_of(engagement)
    categories = drafting.draft_categories(engagement, {c["code"] for c in tenant.categories or []})
    case = Case(
        tenant_id=engagement.tenant_id, engagement_id=engagement.id, fiscal_year=engagement.fiscal_year,
        title=drafting.one_line(f"事例：{engagement.menu_item.title}による支援【{tenant.prefecture}{engagement.municipality.name}】", 300),
        key_points=drafting.draft_key_points(engagement, application, response_of(engagement))
        or [drafting.one_line(engagement.menu_item.title)],
        overview=drafting.draft_overview(engagement, report, tenant.provider_label),
        outcomes=report.outcomes if report else "", categories=categories, dx_step=drafting.draft_dx_step(categories),
        similar_organisations=drafting.draft_similar(engagement, tenant.prefecture), is_sample=engagement.is_sample,
    )
    db.session.add(case)
    db.session.flush()
    case.search_text = search_text_of(case, tenant)
    record_transition("case", case, None, CaseState.DRAFT, actor=actor, note="支援案件から下書きを作成")
    return case


def _is_http_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in url)


def _check_fields(fields: dict, tenant: Tenant) -> None:
    if "title" in fields and not 0 < len(fields["title"].strip()) <= 300:
        raise CaseError(_("タイトルは1〜300文字で入力してください。"))
    if "key_points" in fields and not 1 <= len(fields["key_points"]) <= 3:
        raise CaseError(_("ポイントは1〜3行で入力してください。"))
    if fields.get("dx_step") is not None and fields["dx_step"] not in DX_STEPS:
        raise CaseError(_("DXステップを選択肢から選んでください。"))
    if set(fields.get("categories", [])) - {c["code"] for c in tenant.categories or []}:
        raise CaseError(_("分類を選択肢から選んでください。"))
    if fields.get("population") is not None and fields["population"] < 0:
        raise CaseError(_("人口は0以上で入力してください。"))
    if fields.get("related_url") and not _is_http_url(fields["related_url"]):
        raise CaseError(_("関連URLは http:// または https:// で始まるURLを入力してください。"))


def _conflict_view(fields: dict, tenant: Tenant) -> dict:
    """`fields` as the conflict page shows them: category and DX step labels instead of codes."""
    labels = {c["code"]: c["label"] for c in tenant.categories or []}
    view = {k: v.strip() if isinstance(v, str) else v for k, v in fields.items()}
    if "categories" in view:
        view["categories"] = [labels.get(code, code) for code in view["categories"] or []]
    if view.get("dx_step") is not None:
        view["dx_step"] = DX_STEPS.get(view["dx_step"], view["dx_step"])
    return view


def update_case(case: Case, *, actor, version_id: int | None = None, **fields) -> Case:
    """Edit a DRAFT case. `fields` ⊆ `EDITABLE_FIELDS`: key_points/overview/categories are lists of
    str (1–3 key points), dx_step 0–3 or None, population persons (≥0) or None, related_url
    http(s) only. `version_id`, when given, is the version the editor started from: when someone
    else saved different content in between, raises `ConflictError` (the page that shows the other
    edit; quality.md: conflicts are never lost). Keeps `search_text` up to date. Raises `CaseError`
    (not DRAFT, invalid value), `TypeError` for unknown fields."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_case: unknown fields {sorted(unknown)}")
    tenant = db.session.get(Tenant, case.tenant_id)
    guard_version(case, version_id, mine=_conflict_view(fields, tenant), labels=CONFLICT_LABELS,
                  theirs=lambda: _conflict_view({k: getattr(case, k) for k in fields}, tenant))
    if case.state != CaseState.DRAFT:
        raise CaseError(_("下書きの事例のみ編集できます。"))
    _check_fields(fields, tenant)
    changed = []
    for key, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(case, key) != value:
            setattr(case, key, value)
            changed.append(key)
    with db.session.no_autoflush:  # one UPDATE per save: one version step (the conflict check counts on it)
        case.search_text = search_text_of(case, tenant)
    db.session.flush()
    record_audit("case.update", tenant_id=case.tenant_id, actor=actor, target=case, changes={"fields": sorted(changed)})
    return case


def personal_data_findings(case: Case) -> list[Finding]:
    """What the personal-data guard finds in the text fields of `case` (empty when clean)."""
    return find_personal_data({name: getattr(case, name) for name in TEXT_FIELDS})


def publication_problems(case: Case) -> list[str]:
    """Why `case` may not be published yet (Japanese, empty when it may): a party's approval is
    missing, the guard finds personal-data-like text, or a held-back provider name still appears
    in the published text."""
    problems = []
    if case.municipal_approved_at is None or case.provider_approved_at is None:
        problems.append(_("市町村と%(provider)sの双方の承認がない事例は公開できません。", provider=provider_label()))
    for f in personal_data_findings(case):
        problems.append(_("個人情報と思われる記載があります（%(field)s：%(kind)s「%(match)s」）。",
                          field=TEXT_FIELDS[f.field], kind=f.kind_label, match=f.match))
    name = case.engagement.provider.name
    if "provider" in case.held_back and any(name in str(getattr(case, f)) for f in TEXT_FIELDS):
        problems.append(_("非公開とされた%(provider)s名が本文に含まれています。", provider=provider_label()))
    return problems


def _set_approval(case: Case, party: str, actor, held_back: list[str] | None) -> None:
    held = sorted(set(held_back or []))
    if set(held) - set(HOLDABLE_FIELDS):
        raise CaseError(_("非公開にする項目を選択肢から選んでください。"))
    prefix = "municipal" if party == MUNICIPALITY else "provider"
    setattr(case, f"{prefix}_approved_at", utcnow())
    setattr(case, f"{prefix}_approved_by_id", getattr(actor, "id", None))
    setattr(case, f"{prefix}_held_back", held)


def _return_to_draft(case: Case, actor, note: str) -> None:
    if case.state in AWAITING_STATES:
        if not note:
            raise CaseError(_("差し戻す理由（コメント）を入力してください。"))
        if getattr(actor, "role", None) == Role.PROVIDER:
            case.provider_comment = note
        else:
            case.municipal_comment = note
    case.municipal_approved_at = case.municipal_approved_by_id = None
    case.provider_approved_at = case.provider_approved_by_id = None
    case.approved_at = case.approved_by_id = case.published_at = case.published_by_id = None


def transition_case(case: Case, to_state: CaseState, *, actor, note: str = "", held_back: list[str] | None = None) -> Case:
    """Move a case along `TRANSITIONS` (the only place that assigns `Case.state`; role rules are in
    `permissions.can_transition_case`).

    Side effects, in order: edge check (`TransitionError`); an approval edge (`APPROVAL_EDGES`)
    stamps that party's approval and stores the fields it holds back (`held_back` ⊆
    `HOLDABLE_FIELDS`, else `CaseError`); reaching APPROVED stamps `approved_at/by`; publishing
    needs both approvals, a clean personal-data guard and no held-back provider name in the text
    (`CaseError`, see `publication_problems`) and stamps `published_at/by`; a way back to DRAFT
    from an awaiting state needs a comment (kept in `municipal_comment` or, for provider staff,
    `provider_comment`), and any way back clears both approvals and the publication; the search
    text is rebuilt; state set; history row and audit event written.
    """
    check_transition("case", TRANSITIONS, case.state, to_state)
    note = note.strip()
    party = APPROVAL_EDGES.get((case.state, to_state))
    if party:
        _set_approval(case, party, actor, held_back)
    if to_state == CaseState.APPROVED:
        case.approved_at, case.approved_by_id = utcnow(), getattr(actor, "id", None)
    if to_state == CaseState.PUBLISHED:
        problems = publication_problems(case)
        if problems:
            raise CaseError(problems[0])
        case.published_at, case.published_by_id = utcnow(), getattr(actor, "id", None)
    if to_state == CaseState.DRAFT:
        _return_to_draft(case, actor, note)
    case.search_text = search_text_of(case, db.session.get(Tenant, case.tenant_id))
    return apply_transition("case", case, to_state, actor=actor, note=note)
