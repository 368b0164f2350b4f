"""Case services: draft a case page (003 format, digest §4.2) from a finished engagement, edit it,
and move it draft → municipal approval → published. Services flush, never commit, never read
`flask.request`. Cases never carry personal data: contact fields are never copied."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask_babel import gettext as _

from app.applications.models import Application
from app.cases.models import Case
from app.cases.states import DX_STEPS, TRANSITIONS, CaseState
from app.core.audit import apply_transition, record_audit, record_transition
from app.core.db import utcnow
from app.core.states import check_transition
from app.core.wareki import fiscal_year_label, format_date
from app.engagements.services import report_of
from app.engagements.states import EngagementState
from app.extensions import db
from app.surveys.queries import response_of
from app.surveys.template import SOLVED_KEY
from app.tenancy.models import Tenant

DRAFTABLE_STATES = {EngagementState.COMPLETED, EngagementState.CLOSED}
EDITABLE_FIELDS = ("title", "key_points", "overview", "outcomes", "dx_step", "categories", "population",
                   "population_basis", "related_url", "similar_organisations")


class CaseError(ValueError):
    """The case cannot be created or changed as asked (message is user-facing Japanese)."""


def _one_line(text: str, limit: int = 80) -> str:
    flat = re.sub(r"\s+", " ", text or "").strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def draft_key_points(application: Application | None, response) -> list[str]:
    """Up to 3 ポイント lines: the application's issue (課題) and goal, then the survey's answer to
    「課題解決につながったか」 (001:195). Contact fields are never read."""
    points = []
    if application is not None:
        points += [_one_line(f"{label}：{text}") for label, text in (("課題", application.issue), ("目標", application.goal)) if text.strip()]
    if response is not None and response.answers.get(SOLVED_KEY):
        points.append(f"事後アンケートでは「{response.answers[SOLVED_KEY]}」との回答")
    return points[:3]


def draft_overview(engagement, report) -> list[str]:
    """概要 bullets (stored case text, so Japanese whatever the UI locale): who supported with which menu, the session totals (count, hours, 解決策の提案
    as in 003:1635), one line per session, and the completion report's summary."""
    sessions = engagement.sessions
    bullets = [f"{fiscal_year_label(engagement.fiscal_year)}、{engagement.provider.name}が支援メニュー"
               f"「{engagement.menu_item.title}」により支援を実施。"]
    if sessions:
        hours, proposals = _hours(sum(s.duration_minutes for s in sessions)), sum(s.proposals_count for s in sessions)
        bullets.append(f"支援実施：{len(sessions)}回（合計{hours}時間）、解決策の提案：{proposals}件")
    bullets += [f"{format_date(s.held_on)}（{s.format.label}）：{_one_line(s.content)}" for s in sessions]
    if report is not None:
        bullets.append(f"実績：{_one_line(report.summary, 200)}")
    return bullets


def create_case_draft(engagement, *, actor) -> Case:
    """Create the DRAFT case of a COMPLETED or CLOSED engagement.

    Title 「事例：<menu item>による支援【<prefecture><municipality>】」 (003 format); key points,
    overview, outcomes (from the report), categories (of the menu item) and fiscal year are filled
    in. Raises `CaseError` for other states or when the engagement already has a case.
    """
    if engagement.state not in DRAFTABLE_STATES:
        raise CaseError(_("支援完了または終了した案件からのみ事例を作成できます。"))
    if db.session.scalar(sa.select(Case.id).where(Case.engagement_id == engagement.id, Case.tenant_id == engagement.tenant_id)):
        raise CaseError(_("この支援案件の事例は既に作成されています。"))
    tenant = db.session.get(Tenant, engagement.tenant_id)
    application = db.session.scalar(sa.select(Application).where(
        Application.id == engagement.application_id, Application.tenant_id == engagement.tenant_id)) if engagement.application_id else None
    report = report_of(engagement)
    case = Case(
        tenant_id=engagement.tenant_id, engagement_id=engagement.id, fiscal_year=engagement.fiscal_year,
        title=_one_line(f"事例：{engagement.menu_item.title}による支援【{tenant.prefecture}{engagement.municipality.name}】", 300),
        key_points=draft_key_points(application, response_of(engagement)) or [_one_line(engagement.menu_item.title)],
        overview=draft_overview(engagement, report), outcomes=report.outcomes if report else "",
        categories=list(engagement.menu_item.categories or []), is_sample=engagement.is_sample,
    )
    db.session.add(case)
    db.session.flush()
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


def update_case(case: Case, *, actor, version_id: int | None = None, **fields) -> Case:
    """Edit a DRAFT case. `fields` ⊆ `EDITABLE_FIELDS`: key_points/overview/categories are lists of
    str (1–3 key points), dx_step 0–3 or None, population persons (≥0) or None, related_url
    http(s) only. `version_id`, when given, is the version the editor started from: a different
    current version means someone else saved in between (quality.md: conflicts are never lost).
    Raises `CaseError` (not DRAFT, conflict, invalid value), `TypeError` for unknown fields."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"update_case: unknown fields {sorted(unknown)}")
    if case.state != CaseState.DRAFT:
        raise CaseError(_("下書きの事例のみ編集できます。"))
    if version_id is not None and version_id != case.version_id:
        raise CaseError(_("他の人が先にこの事例を更新しました。画面を再読み込みして内容を確認してから、もう一度編集してください。"))
    _check_fields(fields, db.session.get(Tenant, case.tenant_id))
    changed = {}
    for key, value in fields.items():
        value = value.strip() if isinstance(value, str) else value
        if getattr(case, key) != value:
            setattr(case, key, value)
            changed[key] = True
    db.session.flush()
    record_audit("case.update", tenant_id=case.tenant_id, actor=actor, target=case, changes={"fields": sorted(changed)})
    return case


def transition_case(case: Case, to_state: CaseState, *, actor, note: str = "") -> Case:
    """Move a case along `TRANSITIONS` (the only place that assigns `Case.state`; role rules are in
    `permissions.can_transition_case`).

    Side effects, in order: edge check (`TransitionError`); a municipal return (AWAITING_APPROVAL →
    DRAFT) needs a comment, kept in `municipal_comment` (`CaseError`); approval stamps
    `approved_at/by`; publishing needs that approval (`CaseError`) and stamps `published_at/by`;
    any way back to DRAFT clears approval and publication (edits need a fresh approval); state
    set; history row and audit event written.
    """
    check_transition("case", TRANSITIONS, case.state, to_state)
    note = note.strip()
    if case.state == CaseState.AWAITING_APPROVAL and to_state == CaseState.DRAFT:
        if not note:
            raise CaseError(_("差し戻す理由（コメント）を入力してください。"))
        case.municipal_comment = note
    if to_state == CaseState.APPROVED:
        case.approved_at, case.approved_by_id = utcnow(), getattr(actor, "id", None)
    if to_state == CaseState.PUBLISHED:
        if case.approved_at is None:
            raise CaseError(_("市町村の承認がない事例は公開できません。"))
        case.published_at, case.published_by_id = utcnow(), getattr(actor, "id", None)
    if to_state == CaseState.DRAFT:
        case.approved_at = case.approved_by_id = case.published_at = case.published_by_id = None
    return apply_transition("case", case, to_state, actor=actor, note=note)
