"""Deterministic draft of a case page (003 fields, digest §4.2) from an engagement's records: the
application's issue, the kickoff issues and goals, the session logs, the completion report and
the survey. Plain text assembly (no AI); the operator edits the result. Contact fields of the
application are never read, so no contact person's name, phone or e-mail enters a draft.
"""
from __future__ import annotations

import re

import sqlalchemy as sa

from app.core.wareki import fiscal_year_label, format_date
from app.engagements.models import Engagement
from app.extensions import db
from app.menus.models import MenuItem
from app.surveys.template import SOLVED_KEY
from app.tenancy.models import Organisation

# DX step of the digest §3 category codes (ステップ0–3 of 003, digest §4.1); unknown codes: none.
STEP_OF_CATEGORY = {"MINDSET": 0, "PLAN": 1, "ORG": 2, "HR-DEV": 2, "HR-ACQ": 2}
STEP3_CATEGORIES = {"BPR", "REG", "ONLINE", "MYNA", "FRONT", "STD", "AI", "RPA", "TOOLS", "PAPER", "CASHLESS",
                    "WORK", "DIVIDE", "DATA", "PLATFORM", "JOINT", "INHOUSE", "ASSEMBLY"}
MAX_SIMILAR = 5


def one_line(text: str | None, limit: int = 80) -> str:
    """`text` on one line, cut to `limit` characters with 「…」."""
    flat = re.sub(r"\s+", " ", text or "").strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _hours(minutes: int) -> str:
    return f"{minutes / 60:.2f}".rstrip("0").rstrip(".")


def draft_key_points(engagement, application, response) -> list[str]:
    """Up to 3 ポイント: the issue (kickoff issues, else the application's 課題), the goal (kickoff
    goals, else the application's 目標), then the survey's 「課題解決につながったか」 (001:195)."""
    issue = engagement.kickoff_issues or (application.issue if application else "")
    goal = engagement.kickoff_goals or (application.goal if application else "")
    points = [one_line(f"{label}：{text}") for label, text in (("課題", issue), ("目標", goal)) if (text or "").strip()]
    if response is not None and response.answers.get(SOLVED_KEY):
        points.append(f"事後アンケートでは「{response.answers[SOLVED_KEY]}」との回答")
    return points[:3]


def draft_overview(engagement, report, provider_label: str) -> list[str]:
    """概要 bullets (stored text, Japanese whatever the UI locale): the menu used, session totals
    (count, hours, 解決策の提案 as in 003:1635), one line per session with its proposals, the last
    next steps and the report's summary. The provider is not named here (a party may hold its name
    back; it is a field of its own)."""
    sessions = engagement.sessions
    bullets = [f"{fiscal_year_label(engagement.fiscal_year)}、支援メニュー「{engagement.menu_item.title}」により"
               f"{provider_label}が支援を実施。"]
    if sessions:
        hours, proposals = _hours(sum(s.duration_minutes for s in sessions)), sum(s.proposals_count for s in sessions)
        bullets.append(f"支援実施：{len(sessions)}回（合計{hours}時間）、解決策の提案：{proposals}件")
    for s in sessions:
        proposal = f"（提案：{one_line(s.proposals_text, 60)}）" if s.proposals_text.strip() else ""
        bullets.append(f"{format_date(s.held_on)}（{s.format.label}）：{one_line(s.content)}{proposal}")
    next_steps = next((s.next_steps for s in reversed(sessions) if s.next_steps.strip()), "")
    if next_steps:
        bullets.append(f"今後の取組：{one_line(next_steps, 120)}")
    if report is not None:
        bullets.append(f"実績：{one_line(report.summary, 200)}")
    return bullets


def draft_categories(engagement, known: set[str]) -> list[str]:
    """The menu item's categories, then the sessions' topics (categories), known codes only, in order."""
    codes = list(engagement.menu_item.categories or [])
    for s in engagement.sessions:
        codes += list(s.categories or [])
    return [c for c in dict.fromkeys(codes) if c in known]


def draft_dx_step(categories: list[str]) -> int | None:
    """The lowest ステップ among `categories` (digest §4.1), or None when none maps to a step."""
    steps = [STEP_OF_CATEGORY.get(c, 3 if c in STEP3_CATEGORIES else None) for c in categories]
    return min((s for s in steps if s is not None), default=None)


def draft_similar(engagement, prefecture: str) -> str:
    """類似の取組を行っている団体: other municipalities of the tenant supported with a menu item of
    the same title (any fiscal year), by 全国地方公共団体コード, at most `MAX_SIMILAR`; one query."""
    stmt = (
        sa.select(Organisation.lg_code, Organisation.name).distinct()
        .join(Engagement, Engagement.municipality_id == Organisation.id)
        .join(MenuItem, MenuItem.id == Engagement.menu_item_id)
        .where(Engagement.tenant_id == engagement.tenant_id, MenuItem.title == engagement.menu_item.title,
               Organisation.id != engagement.municipality_id)
        .order_by(Organisation.lg_code).limit(MAX_SIMILAR)
    )
    names = [name for _, name in db.session.execute(stmt)]
    return "・".join(f"{prefecture}{name}" for name in names) + ("（同じ支援メニューによる支援）" if names else "")
