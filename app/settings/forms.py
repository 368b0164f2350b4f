"""Forms of 事業設定. They only collect input: the values are validated by the tenant.toml schema in
`app.settings.services` (one source of rules), whose messages are put on the fields here."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField

from app.core.forms import BaseForm, MultiCheckboxField, strip_filter


class VersionedForm(BaseForm):
    """A settings form: carries the tenant's `version_id` it started from (optimistic locking)."""

    version_id = HiddenField()

    def put_problems(self, problems: list[tuple[str, str]], fields: dict[str, str]) -> None:
        """Attach `(key path, message)` problems to the form fields named by `fields`
        (`{key path: field name}`); others go to the form-level errors, prefixed by their key."""
        for key, message in problems:
            name = fields.get(key, key)
            if name in self._fields and name not in ("csrf_token", "version_id"):
                self[name].errors = [*self[name].errors, message]
            else:
                self.form_errors.append(f"{key}: {message}")


class BasicForm(VersionedForm):
    """基本情報."""

    name = StringField(_l("事業名"), filters=[strip_filter])
    office_name = StringField(_l("担当課"), filters=[strip_filter])
    council_name = StringField(_l("協議会名（任意）"), filters=[strip_filter])
    provider_label = StringField(_l("支援する側の呼び方（会員企業・ICTエキスパート など）"), filters=[strip_filter])
    phone = StringField(_l("電話番号（任意）"), filters=[strip_filter])
    email = StringField(_l("メールアドレス（任意）"), filters=[strip_filter])
    address = TextAreaField(_l("所在地（任意）"), filters=[strip_filter])
    head_title = StringField(_l("文書の発信者の職名（任意、例 福島県企画調整部長）"), filters=[strip_filter])


CALL_MODELS = [SelectChoice("annual", _l("年間募集（募集期間・選定あり）")), SelectChoice("continuous", _l("通年受付（随時の派遣依頼・回数上限あり）")),
               SelectChoice("on_demand", _l("随時受付（市町村の求めに応じて）"))]
PROVIDER_MODELS = [SelectChoice("company_menu", _l("会員企業の支援メニュー")), SelectChoice("expert_themes", _l("登録専門家のテーマ")),
                   SelectChoice("commissioned_adviser", _l("委託アドバイザー"))]
COST_BEARERS = [SelectChoice("prefecture", _l("県")), SelectChoice("municipality", _l("市町村")), SelectChoice("shared", _l("県と市町村で分担"))]
APPLICANT_KINDS = [SelectChoice("municipality", _l("市町村")), SelectChoice("board_of_education", _l("教育委員会")),
                   SelectChoice("chamber_of_commerce", _l("商工会"))]
# Integer rules, in form order: (rules key, label). Blank = no limit where the rule is optional.
NUMBER_RULES = [
    ("max_dispatches_per_body_per_year", _l("1団体あたりの年間派遣回数の上限（空欄: 上限なし）")),
    ("max_choices", _l("申込で選べる希望の数")),
    ("max_applications_per_municipality", _l("1団体あたりの申込数の上限")),
    ("max_engagements_first_pass", _l("第1次選定で1団体に割り当てる支援の数")),
    ("max_engagements_per_municipality", _l("1団体あたりの支援案件数の上限")),
    ("priority_lookback_years", _l("優先の判定で振り返る年数（過去N年に支援なしなら優先）")),
    ("coverage_window_years", _l("支援状況の集計期間（年）")),
    ("max_hours_per_engagement", _l("1支援案件あたりの時間の上限（空欄: 上限なし）")),
    ("max_sessions_per_engagement", _l("1支援案件あたりの支援回数の上限（空欄: 上限なし）")),
    ("stale_after_weeks", _l("記録がないと「滞留」とする週数")),
    ("report_due_days", _l("実績報告の提出期限（支援終了から日数）")),
]


class RulesForm(VersionedForm):
    """事業ルール: every key of `Rules` except the lists with pages of their own (regions, rubric)."""

    call_model = SelectField(_l("募集の形"), choices=CALL_MODELS, validate_choice=False)
    applicant_kinds = MultiCheckboxField(_l("申込できる団体"), choices=APPLICANT_KINDS, validate_choice=False)
    label_municipality = StringField(_l("「市町村」の呼び方（空欄: 市町村）"), filters=[strip_filter])
    label_board_of_education = StringField(_l("「教育委員会」の呼び方（空欄: 教育委員会）"), filters=[strip_filter])
    label_chamber_of_commerce = StringField(_l("「商工会」の呼び方（空欄: 商工会）"), filters=[strip_filter])
    provider_model = SelectField(_l("支援の提供のしかた"), choices=PROVIDER_MODELS, validate_choice=False)
    focus_group_label = StringField(_l("別に集計する市町村グループの名前（例 避難地域12市町村、空欄: なし）"),
                                    filters=[strip_filter])
    cost_bearer = SelectField(_l("派遣費用の負担"), choices=COST_BEARERS, validate_choice=False)
    max_dispatches_per_body_per_year = StringField(NUMBER_RULES[0][1], filters=[strip_filter])
    max_choices = StringField(NUMBER_RULES[1][1], filters=[strip_filter])
    max_applications_per_municipality = StringField(NUMBER_RULES[2][1], filters=[strip_filter])
    max_engagements_first_pass = StringField(NUMBER_RULES[3][1], filters=[strip_filter])
    max_engagements_per_municipality = StringField(NUMBER_RULES[4][1], filters=[strip_filter])
    priority_lookback_years = StringField(NUMBER_RULES[5][1], filters=[strip_filter])
    coverage_window_years = StringField(NUMBER_RULES[6][1], filters=[strip_filter])
    max_hours_per_engagement = StringField(NUMBER_RULES[7][1], filters=[strip_filter])
    max_sessions_per_engagement = StringField(NUMBER_RULES[8][1], filters=[strip_filter])
    stale_after_weeks = StringField(NUMBER_RULES[9][1], filters=[strip_filter])
    report_due_days = StringField(NUMBER_RULES[10][1], filters=[strip_filter])


class RowsForm(VersionedForm):
    """A form whose rows (regions, categories, rubric criteria) are read from `request.form` by the
    view (`app.settings.rows`); only the token and version are fields."""


class NotificationTextForm(VersionedForm):
    """通知文 of one kind: subject and body with `{placeholders}`."""

    subject = StringField(_l("件名"), filters=[strip_filter])
    body = TextAreaField(_l("本文"), render_kw={"rows": 12}, filters=[lambda v: v.replace("\r\n", "\n") if isinstance(v, str) else v])


class TileLayoutForm(BaseForm):
    """タイル地図: the layout CSV (lg_code,row,col)."""

    file = FileField(_l("配置のCSVファイル（列 lg_code,row,col）"), validators=[FileRequired(_l("ファイルを選んでください。"))])


class CalendarForm(VersionedForm):
    """年間スケジュール: a start and an end ("+Y-MM-DD") per phase; fields are added per phase by
    `calendar_form()`."""


def calendar_form(phases, **kwargs) -> CalendarForm:
    """A `CalendarForm` with `<phase>_start` / `<phase>_end` fields for each `(phase value, label)`."""
    class Form(CalendarForm):
        pass

    for value, label in phases:
        setattr(Form, f"{value}_start", StringField(_l("%(phase)s 開始", phase=label), filters=[strip_filter]))
        setattr(Form, f"{value}_end", StringField(_l("%(phase)s 終了", phase=label), filters=[strip_filter]))
    return Form(**kwargs)


def notices_form(limits, **kwargs) -> VersionedForm:
    """A form with one text field per reminder timing (`limits` = `{key: (lo, hi, label)}`)."""
    class Form(VersionedForm):
        pass

    for key, (_lo, _hi, label) in limits.items():
        setattr(Form, key, StringField(label, filters=[strip_filter]))
    return Form(**kwargs)
