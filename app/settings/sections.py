"""The sections of 事業設定, in display order: one line per section (endpoint, label, description).
Sections built by other domains (the questionnaires, 組織管理) are listed by their endpoint too."""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from app.tenancy.labels import lazy_label


@dataclass(frozen=True)
class SettingsSection:
    """One 事業設定 page: its endpoint, Japanese label and one-line description."""

    endpoint: str
    label: str
    description: str


SECTIONS = [
    SettingsSection("settings.basic", _l("基本情報"), _l("事業名・担当課・協議会名・提供者の呼び方・通知に載せる連絡先")),
    SettingsSection("settings.rules", _l("事業ルール"), _l("募集の形・申込団体・回数の上限・優先の判定年数・報告期限など")),
    SettingsSection("settings.regions", _l("地域・エリア"), _l("地域と地方（エリア）の名前と表示順")),
    SettingsSection("settings.categories", _l("DX分類"), _l("DX課題の分類（コードと表示名）と並び順")),
    SettingsSection("settings.rubric", _l("審査基準"), _l("支援メニュー審査の既定の評価項目")),
    SettingsSection("settings.calendar", _l("年間スケジュール"), _l("新しい募集の各フェーズの期間のひな形")),
    SettingsSection("settings.notifications", _l("通知文"), _l("お知らせメールの件名と本文（プレビュー付き）")),
    SettingsSection("settings.notices", _l("通知のタイミング"), _l("督促・お知らせを送る日（締切の何日前・何日ごと）")),
    SettingsSection("settings.tile_map", _l("タイル地図"), _l("支援状況マップの市町村タイルの配置（CSV）")),
    SettingsSection("questionnaires.survey", _l("事後アンケート"), _l("事後アンケートの設問")),
    SettingsSection("questionnaires.needs_survey", _l("DX課題把握アンケート"), _l("DX課題把握アンケートの設問")),
    SettingsSection("organisations.index", _l("団体"), lazy_label("市町村・%(provider)s・教育委員会・商工会の登録と取込")),
]
