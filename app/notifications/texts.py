"""Japanese subject/body templates with `{placeholders}`, per tenant.

Defaults live in `DEFAULTS`; a tenant overrides the subject and/or body of any kind in the database
(`Tenant.notification_texts` = `{kind: {"subject", "body"}}`, edited on 事業設定 › 通知文; exported as
`tenants/<slug>/notifications.toml`, `[templates."calls.open"] subject = "…" body = "…"`).

Placeholders available to every template: `COMMON_PLACEHOLDERS` (program, office and its contact
details); plus what the caller passes (`call_title`, `fiscal_year`, `ends_on`, `municipality`, `url`,
…), i.e. those the default text of that kind uses (`allowed_placeholders`). Saved overrides are
checked against that list (`text_problems`); a placeholder left unknown at send time is kept as
written (`{name}`), never an error in a job.
"""
from __future__ import annotations

import string
from dataclasses import dataclass

# The program office's contact details (事業設定 › 基本情報) follow the office name when set.
SIGNATURE = "\n\n――\n{prefecture} {office_name}\n{tenant_name}{contact_lines}\n※このメールは送信専用です。"

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
    "engagements.stale": (
        "【{prefecture}】支援が滞っています（{municipality}・{menu_item}）",
        "{provider} ご担当者様\n\n{municipality}への「{menu_item}」の支援について、{weeks}週間以上支援実施記録がないか、"
        "予定日を過ぎても予定回数の支援が記録されていません。\n支援を実施した場合は支援実施記録を登録してください。\n{url}",
    ),
    "engagements.report_due": (
        "【{prefecture}】実績報告の提出期限は{due_on}です（{municipality}・{menu_item}）",
        "{provider} ご担当者様\n\n{municipality}への「{menu_item}」の支援の実績報告の提出期限は{due_on}です。\n"
        "期限までに提出してください。\n{url}",
    ),
    "engagements.report_overdue": (
        "【{prefecture}】実績報告が提出期限（{due_on}）を過ぎています（{municipality}・{menu_item}）",
        "{provider} ご担当者様\n\n{municipality}への「{menu_item}」の支援の実績報告が、提出期限の{due_on}を過ぎても"
        "提出されていません（差戻し後の再提出を含みます）。\n速やかに提出してください（提出するとこのお知らせは止まります）。\n{url}",
    ),
    "cases.approval_request": (
        "【{prefecture}】事例の確認・承認のお願い（{case_title}）",
        "ご担当者様\n\n事例「{case_title}」が{state}になりました。\n"
        "内容を確認し、承認するか、コメントを付けて差し戻してください。\n{url}",
    ),
    "cases.approval_reminder": (
        "【{prefecture}】事例の承認をお待ちしています（{case_title}）",
        "ご担当者様\n\n事例「{case_title}」は{state}のままです。\n"
        "内容を確認し、承認するか、コメントを付けて差し戻してください（対応するとこのお知らせは止まります）。\n{url}",
    ),
    "home.digest": (
        "【{prefecture}】今週のタスク一覧（{week_of}の週）",
        "運用担当者様\n\n対応が必要なタスクは次のとおりです。\n\n{tasks}\n\nホーム画面：{url}",
    ),
    "needs.open": (
        "【{prefecture}】{fiscal_year} DX課題把握アンケートへのご回答のお願い",
        "{municipality} ご担当者様\n\n{fiscal_year}のDX課題把握アンケートを開始しました。\n"
        "回答期間：{opens_on}～{closes_on}\n\nログインのうえ、次のページからご回答ください。\n{url}",
    ),
    "needs.reminder": (
        "【{prefecture}】DX課題把握アンケートは{closes_on}までです（未回答）",
        "{municipality} ご担当者様\n\n{fiscal_year}のDX課題把握アンケートへのご回答がまだありません。\n"
        "回答期限：{closes_on}（あと{days_left}日）\n\nログインのうえ、次のページからご回答ください。\n{url}",
    ),
    "needs.closed": (
        "【{prefecture}】{fiscal_year} DX課題把握アンケートの回答期間が終了しました（回答 {respondents} 団体）",
        "運用担当者様\n\n{fiscal_year}のDX課題把握アンケートの回答期間（{opens_on}～{closes_on}）が終了しました。\n"
        "回答した市町村：{respondents} 団体\n未回答の市町村：{non_respondents} 団体\n\n回答状況は次のページで確認できます。\n{url}",
    ),
    "needs.thanks": (
        "【{prefecture}】{fiscal_year} DX課題把握アンケートへのご回答ありがとうございました",
        "{municipality} ご担当者様\n\n{fiscal_year}のDX課題把握アンケートにご回答いただき、ありがとうございました。\n"
        "回答期間は{closes_on}に終了しました。いただいた回答は支援メニューの検討に活用します。\n{url}",
    ),
    "applications.draft_unsubmitted": (
        "【{prefecture}】{call_title} 申込が未提出です",
        "{municipality} ご担当者様\n\n{call_title}の申込受付は{ends_on}に終了しましたが、"
        "貴団体の申込は下書きのまま提出されていません。\n今回の選定の対象にはなりません。"
        "ご不明な点は事務局までお問い合わせください。\n{url}",
    ),
    "menus.proposals_open": (
        "【{prefecture}】{call_title} 支援メニューの提案受付を開始しました",
        "{provider} ご担当者様\n\n{call_title}の支援メニュー提案受付を開始しました。\n"
        "受付期間：{starts_on}～{ends_on}\n\nログインのうえ、次のページから提案してください。\n{url}",
    ),
    "reviews.start": (
        "【{prefecture}】{call_title} {target_label}を開始しました",
        "{reviewer} 様\n\n{call_title}の{target_label}を開始しました。採点期限：{ends_on}\n\n"
        "ログインのうえ、利害関係を申告してから採点してください。\n{url}",
    ),
    "reviews.reminder": (
        "【{prefecture}】{call_title} {target_label}：未採点があります（期限 {ends_on}）",
        "{reviewer} 様\n\n{call_title}の{target_label}に、まだ採点していない担当分があります。\n"
        "採点期限：{ends_on}\n\nログインのうえ、次のページから採点してください。\n{url}",
    ),
    "decisions.notice": (
        "【{prefecture}】{kind_label}：{title}",
        "{recipient} ご担当者様\n\n{title}の{kind_label}を発行しました。\n回答期限：{respond_by}\n\n"
        "ログインのうえ、次のページで内容をご確認ください（確認済みにすると記録されます）。\n{url}",
    ),
    "accounts.invite": (
        "【{prefecture}】{tenant_name} 利用者登録のご案内",
        "{name} 様\n\n{tenant_name}のシステムに{role}として登録されました。\n"
        "次のリンクからパスワードを設定すると、ログインできるようになります。\n{url}\n\n"
        "このリンクの有効期限は{expires_in}で、1回だけ使えます。期限が切れた場合は事業担当者に再送を依頼してください。\n"
        "お心当たりのない場合は、このメールを破棄してください。",
    ),
    "accounts.reset": (
        "【{prefecture}】パスワード再設定のご案内",
        "{name} 様\n\nパスワード再設定のお申し込みを受け付けました。次のリンクから新しいパスワードを設定してください。\n{url}\n\n"
        "このリンクの有効期限は{expires_in}で、1回だけ使えます。\n"
        "お心当たりのない場合は、このメールを破棄してください（パスワードは変更されません）。",
    ),
}
# Kinds whose body holds a single-use link that sets a password: always sent by e-mail whatever the
# user's channel preference (the link is the point), and never shown on 送信メール when mail goes out.
PASSWORD_LINK_KINDS = frozenset({"accounts.invite", "accounts.reset"})


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Rendered:
    """A rendered message: `subject` (one line) and `body` (plain text, with the signature)."""

    subject: str
    body: str


def tenant_templates(tenant) -> dict[str, tuple[str, str]]:
    """`{kind: (subject, body)}`: the defaults overlaid with the tenant's saved overrides (database)."""
    templates = dict(DEFAULTS)
    for kind, spec in (getattr(tenant, "notification_texts", None) or {}).items():
        if kind in templates:
            default = templates[kind]
            templates[kind] = (spec.get("subject") or default[0], spec.get("body") or default[1])
    return templates


def _common(tenant) -> dict[str, str]:
    contact = getattr(tenant, "contact", lambda key: "")
    lines = [f"{label}：{contact(key)}" for key, label in (("address", "所在地"), ("phone", "電話"), ("email", "メール"))
             if contact(key)]
    return {"tenant_name": tenant.name, "prefecture": tenant.prefecture, "office_name": tenant.office_name,
            "office_phone": contact("phone"), "office_email": contact("email"),
            "office_address": contact("address"), "head_title": contact("head_title"),
            "contact_lines": "".join("\n" + line for line in lines)}


def _format(subject: str, body: str, context: dict) -> Rendered:
    return Rendered(" ".join(subject.format_map(context).split()), (body + SIGNATURE).format_map(context))


def render(tenant, kind: str, values: dict) -> Rendered:
    """Render template `kind` of `tenant` with `values`. Raises `KeyError` for an unknown kind."""
    subject, body = tenant_templates(tenant)[kind]
    return _format(subject, body, _Keep({**_common(tenant), **values}))


# Placeholders every template may use (filled from the tenant and its 基本情報).
COMMON_PLACEHOLDERS = ("tenant_name", "prefecture", "office_name", "office_phone", "office_email",
                       "office_address", "head_title")
# Values shown in the 通知文 preview for the caller-supplied placeholders.
SAMPLE_VALUES = {
    "call_title": "令和7年度 ICTアドバイザー派遣事業", "case_title": "窓口業務のオンライン化", "closes_on": "2025年6月30日",
    "days_left": "7", "due_on": "2025年10月31日", "ends_on": "2025年5月31日", "expires_in": "72時間",
    "fiscal_year": "令和7年度", "kind_label": "採択決定通知", "lookback": "2", "menu_item": "庁内ネットワークの見直し",
    "municipality": "サンプル町", "name": "山田 太郎", "non_respondents": "5", "opens_on": "2025年6月1日",
    "provider": "株式会社サンプル", "recipient": "サンプル町", "respond_by": "2025年7月15日", "respondents": "54",
    "reviewer": "審査 花子", "role": "市町村担当者", "starts_on": "2025年5月1日", "state": "承認待ち",
    "survey": "事後アンケート", "target_label": "支援メニューの審査", "tasks": "・未採点の審査 3件\n・提出待ちの実績報告 2件",
    "title": "令和7年度 ICTアドバイザー派遣事業", "url": "https://example.jp/t/sample/", "week_of": "2025年6月2日",
    "weeks": "4",
}


def _fields(text: str) -> list[str]:
    """Placeholder names used in `text`; raises `ValueError` for a malformed brace ("{" without "}")."""
    return [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]


def allowed_placeholders(kind: str) -> list[str]:
    """The placeholders a text of `kind` may use: `COMMON_PLACEHOLDERS` and those of its default text
    (the values its senders pass). Raises `KeyError` for an unknown kind."""
    subject, body = DEFAULTS[kind]
    extra = [n for n in dict.fromkeys(_fields(subject) + _fields(body)) if n not in COMMON_PLACEHOLDERS]
    return list(COMMON_PLACEHOLDERS) + extra


def text_problems(kind: str, text: str) -> list[str]:
    """Japanese messages for what is wrong in a subject or body of `kind`: malformed braces, or
    placeholders outside `allowed_placeholders(kind)` (the message lists the allowed ones)."""
    try:
        parsed = [(name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(text)
                  if name is not None]
    except ValueError:
        return ["{ と } の対応が正しくありません（文字として使うときは {{ と }} と書いてください）"]
    if any(spec or conversion for _name, spec, conversion in parsed):
        return ["差し込み項目に書式指定（: や !）は使えません（{municipality} のように名前だけを書いてください）"]
    names = [name for name, _spec, _conversion in parsed]
    allowed = allowed_placeholders(kind)
    unknown = [n for n in dict.fromkeys(names) if n not in allowed]
    if any(not n.isidentifier() for n in names if n not in unknown):
        unknown += [n for n in names if not n.isidentifier()]
    if unknown:
        listed = "、".join("{" + n + "}" for n in allowed)
        return [f"使えない差し込み項目があります: {'、'.join('{' + n + '}' for n in unknown)}（使えるもの: {listed}）"]
    return []


def preview(tenant, kind: str, subject: str, body: str) -> Rendered:
    """`subject`/`body` of `kind` rendered for `tenant` with `SAMPLE_VALUES` (the 通知文 preview)."""
    return _format(subject, body, _Keep({**SAMPLE_VALUES, **_common(tenant)}))


KIND_LABELS = {
    "calls.open": "募集開始のお知らせ",
    "calls.priority_nudge": "優先市町村への申込案内",
    "calls.closing_soon": "申込締切前のお知らせ",
    "surveys.request": "アンケートのお願い",
    "surveys.reminder": "アンケートの督促",
    "engagements.stale": "滞留している支援案件のお知らせ",
    "engagements.report_due": "実績報告の提出期限前のお知らせ",
    "engagements.report_overdue": "実績報告の提出期限超過のお知らせ",
    "cases.approval_request": "事例の承認依頼",
    "cases.approval_reminder": "事例の承認待ちの督促",
    "home.digest": "週次のタスク一覧",
    "needs.open": "DX課題把握アンケート開始のお知らせ",
    "needs.reminder": "DX課題把握アンケートの督促",
    "needs.closed": "DX課題把握アンケート締切のお知らせ（運用担当者）",
    "needs.thanks": "DX課題把握アンケート回答へのお礼",
    "applications.draft_unsubmitted": "未提出の申込のお知らせ",
    "menus.proposals_open": "支援メニュー提案受付開始のお知らせ",
    "reviews.start": "審査開始のお知らせ",
    "reviews.reminder": "未採点のリマインド",
    "decisions.notice": "決定通知のお知らせ",
    "accounts.invite": "利用者登録（招待）のご案内",
    "accounts.reset": "パスワード再設定のご案内",
}


def kind_label(kind: str) -> str:
    """Japanese name of a template kind for lists and filters (the kind itself when unnamed)."""
    return KIND_LABELS.get(kind, kind)
