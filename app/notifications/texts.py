"""Japanese subject/body templates with `{placeholders}`, per tenant.

Defaults live in `DEFAULTS`; a tenant overrides any of them in `tenants/<slug>/notifications.toml`:

    [templates."calls.open"]
    subject = "【{prefecture}】{call_title}の申込受付を開始しました"
    body = "…{url}…"

Placeholders available to every template: `tenant_name`, `prefecture`, `office_name`; plus what the
caller passes (`call_title`, `fiscal_year`, `ends_on`, `municipality`, `url`, …). An unknown
placeholder is left as written (`{name}`), never an error in a job.
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

SIGNATURE = "\n\n――\n{prefecture} {office_name}\n{tenant_name}\n※このメールは送信専用です。"

DEFAULTS: dict[str, tuple[str, str]] = {
    "calls.open": (
        "【{prefecture}】{call_title} 申込受付を開始しました",
        "{municipality} ご担当者様\n\n{call_title}の申込受付を開始しました。\n"
        "受付期間：{starts_on}～{ends_on}\n\n支援メニューを確認のうえ、期間内にお申し込みください。\n{url}",
    ),
    "calls.priority_nudge": (
        "【{prefecture}】{call_title} お申し込みのご案内（優先支援の対象です）",
        "{municipality} ご担当者様\n\n貴団体は過去{lookback}年間に本事業の支援を受けていないため、"
        "今回の募集で優先して支援する対象です。\nまだお申し込みがありません。受付は{ends_on}までです。\n{url}",
    ),
    "calls.closing_soon": (
        "【{prefecture}】{call_title} 申込受付は{ends_on}までです",
        "{municipality} ご担当者様\n\n{call_title}の申込受付は{ends_on}に終了します（あと{days_left}日）。\n"
        "まだ提出済みの申込がありません。ご希望の場合は期間内に提出してください。\n{url}",
    ),
    "surveys.request": (
        "【{prefecture}】{survey}のお願い（{menu_item}）",
        "{municipality} ご担当者様\n\n{provider}による「{menu_item}」の支援について、{survey}へのご回答をお願いします。\n"
        "回答期限：{due_on}\n\nログインのうえ、次のページからご回答ください。\n{url}",
    ),
    "surveys.reminder": (
        "【{prefecture}】{survey}へのご回答のお願い（{menu_item}・回答期限 {due_on}）",
        "{municipality} ご担当者様\n\n{provider}による「{menu_item}」の支援の{survey}について、まだご回答をいただいていません。\n"
        "回答期限：{due_on}\n\nログインのうえ、次のページからご回答ください（回答いただくとこのお知らせは止まります）。\n{url}",
    ),
}


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Rendered:
    """A rendered message: `subject` (one line) and `body` (plain text, with the signature)."""

    subject: str
    body: str


def tenant_templates(tenant) -> dict[str, tuple[str, str]]:
    """`{kind: (subject, body)}`: the defaults overlaid with tenants/<slug>/notifications.toml."""
    templates = dict(DEFAULTS)
    path = Path(current_app.config["TENANTS_DIR"]) / tenant.slug / "notifications.toml"
    if path.is_file():
        with path.open("rb") as fh:
            for kind, spec in tomllib.load(fh).get("templates", {}).items():
                default = templates.get(kind, ("", ""))
                templates[kind] = (spec.get("subject", default[0]), spec.get("body", default[1]))
    return templates


def render(tenant, kind: str, values: dict) -> Rendered:
    """Render template `kind` of `tenant` with `values`. Raises `KeyError` for an unknown kind."""
    subject, body = tenant_templates(tenant)[kind]
    context = _Keep(tenant_name=tenant.name, prefecture=tenant.prefecture, office_name=tenant.office_name, **values)
    return Rendered(" ".join(subject.format_map(context).split()), (body + SIGNATURE).format_map(context))


KIND_LABELS = {
    "calls.open": "募集開始のお知らせ",
    "calls.priority_nudge": "優先市町村への申込案内",
    "calls.closing_soon": "申込締切前のお知らせ",
    "surveys.request": "アンケートのお願い",
    "surveys.reminder": "アンケートの督促",
}


def kind_label(kind: str) -> str:
    """Japanese name of a template kind for lists and filters (the kind itself when unnamed)."""
    return KIND_LABELS.get(kind, kind)
