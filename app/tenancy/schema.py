"""The schema of `tenants/<slug>/tenant.toml` (pydantic v2): identity, `[rules]`, `[calendar]` and the
optional `[notices]` (when reminders go out; app/notifications/timings.py).

Three program shapes are expressed by the rules (product.md §2, §5; digest §2.1, §2.3):

| rule | 福島県 (Fukushima) | 静岡県-style | 宮城県-style |
|---|---|---|---|
| `call_model` | `annual` (windows, 001:246-254) | `continuous` | `on_demand` (市町村の求めに応じて随時, 003:1608) |
| `applicant_kinds` | municipality (001:186) | municipality, board_of_education, chamber_of_commerce (003:1643) | municipality (003:1607) |
| `provider_model` | `company_menu` (003:1622) | `expert_themes` (登録リストにあるテーマ, 003:1647) | `commissioned_adviser` (003:1605) |
| `max_dispatches_per_body_per_year` | — | 5 (1団体につき年５回まで, 003:1646) | — (no quota) |

`validate_tenant_file(data, path)` returns a `TenantFile` or raises `TenantDefinitionError` whose
message names the file and the key path, e.g.
`tenants/x/tenant.toml: rules.max_choices: 1以上10以下の整数にしてください`.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

CALL_MODELS = ("annual", "continuous", "on_demand")
PROVIDER_MODELS = ("company_menu", "expert_themes", "commissioned_adviser")
CALENDAR_PHASES = ("needs_survey", "proposals", "menu_review", "applications", "selection", "support", "closing")
CALENDAR_SPEC = re.compile(r"^\+(\d)-(\d\d)-(\d\d)$")
REFERENCE_FY = 2025  # a non-leap fiscal year: calendar specs are checked against it


class TenantDefinitionError(ValueError):
    """The tenant definition is invalid; the message names the file and the key or row."""


def _int_range(lo: int, hi: int, *, optional: bool = False):
    """An int in lo..hi (bools and floats refused); `optional`: also None (key absent)."""
    def check(value):
        if value is None and optional:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise ValueError(f"{lo}以上{hi}以下の整数にしてください")
        return value
    return Annotated[int | None if optional else int, BeforeValidator(check)]


def _text(value):
    if not isinstance(value, str) or not value.strip():
        raise ValueError("空でない文字列にしてください")
    return value.strip()


Text = Annotated[str, BeforeValidator(_text)]
OptionalText = Annotated[str | None, BeforeValidator(lambda v: None if v is None else _text(v))]


def _short_label(value):
    """None (key absent), or a label of 1..40 characters (it heads a table column and an API field)."""
    if value is None:
        return None
    value = _text(value)
    if len(value) > 40:
        raise ValueError("40文字以内にしてください")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RubricCriterion(_Strict):
    """One criterion of the review rubric; `weight` and `required` are used by the reviews domain."""

    key: Text
    label: Text
    max: _int_range(1, 100)
    weight: Annotated[float, Field(gt=0, le=100)] = 1.0
    required: bool = True


class Rules(_Strict):
    """`[rules]` of tenant.toml (product.md §5). Defaults equal the `Call` column defaults."""

    call_model: Literal["annual", "continuous", "on_demand"] = "annual"
    applicant_kinds: list[Literal["municipality", "board_of_education", "chamber_of_commerce"]] = ["municipality"]
    # The tenant's own label per applicant kind (e.g. chamber_of_commerce = "商工会・商工会議所"); absent = default label.
    applicant_labels: dict[Literal["municipality", "board_of_education", "chamber_of_commerce"], Text] = {}
    provider_model: Literal["company_menu", "expert_themes", "commissioned_adviser"] = "company_menu"
    max_dispatches_per_body_per_year: _int_range(1, 100, optional=True) = None
    max_choices: _int_range(1, 10) = 3
    max_applications_per_municipality: _int_range(1, 10) = 1
    max_engagements_first_pass: _int_range(1, 10) = 1
    max_engagements_per_municipality: _int_range(1, 10) = 1
    priority_lookback_years: _int_range(0, 10) = 2
    coverage_window_years: _int_range(1, 10) = 3
    cost_bearer: Literal["prefecture", "municipality", "shared"] = "prefecture"
    region_order: list[Text] = []
    area_order: list[Text] = []
    # A named group of municipalities shown apart on the coverage page, the API and the exports
    # (Fukushima: 避難地域12市町村); members carry `Organisation.is_evacuation_area`. None: no group.
    focus_group_label: Annotated[str | None, BeforeValidator(_short_label)] = None
    review_rubric: list[RubricCriterion] = []
    # Delivery (issue 4): optional per-engagement quotas, the 滞留 threshold and the 実績報告 due days.
    max_hours_per_engagement: _int_range(1, 1000, optional=True) = None
    max_sessions_per_engagement: _int_range(1, 100, optional=True) = None
    stale_after_weeks: _int_range(1, 52) = 4
    report_due_days: _int_range(1, 365) = 30


def _window(value):
    if value is None:
        return None
    if not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, str) for v in value):
        raise ValueError('["+Y-MM-DD", "+Y-MM-DD"] の形（開始日・終了日）にしてください')
    dates = [_calendar_date(REFERENCE_FY, v) for v in value]
    if dates[1] < dates[0]:
        raise ValueError("終了日が開始日より前です")
    return value


def _calendar_date(fiscal_year: int, spec: str) -> dt.date:
    match = CALENDAR_SPEC.match(spec)
    if not match:
        raise ValueError(f"'{spec}' は \"+Y-MM-DD\"（例 \"+0-05-16\"）の形にしてください")
    offset, month, day = (int(g) for g in match.groups())
    if (month, day) == (2, 29):
        raise ValueError("2月29日は毎年は存在しないため使えません")
    try:
        return dt.date(fiscal_year + offset, month, day)
    except ValueError:
        raise ValueError(f"'{spec}' は存在しない日付です") from None


Window = Annotated[list[str] | None, BeforeValidator(_window)]


class Calendar(_Strict):
    """`[calendar]`: phase windows relative to the fiscal year FY ("+Y-MM-DD" = MM-DD of FY+Y)."""

    needs_survey: Window = None
    proposals: Window = None
    menu_review: Window = None
    applications: Window = None
    selection: Window = None
    support: Window = None
    closing: Window = None


class Notices(_Strict):
    """`[notices]`: days that date the reminders (all optional; defaults = `NoticeTimings`).
    `*_days_before` 0..60 (0: on the day itself), `*_every_days` 1..60."""

    call_closing_days_before: _int_range(0, 60) = 7
    needs_reminder_days_before: _int_range(0, 60) = 7
    review_reminder_days_before: _int_range(0, 60) = 3
    report_due_days_before: _int_range(0, 60) = 7
    report_overdue_every_days: _int_range(1, 60) = 7
    case_reminder_every_days: _int_range(1, 60) = 7
    survey_reminder_days_before: _int_range(0, 60) = 3
    survey_reminder_every_days: _int_range(1, 60) = 7


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _email(value):
    if not isinstance(value, str):
        raise ValueError("文字列にしてください")
    if value.strip() and not EMAIL.match(value.strip()):
        raise ValueError("メールアドレスの形（例 office@pref.example.jp）にしてください")
    return value.strip()


class Contact(_Strict):
    """`[contact]`: the program office's contact details shown on notices (all optional)."""

    phone: Annotated[str, Field(max_length=40)] = ""
    email: Annotated[str, BeforeValidator(_email), Field(max_length=200)] = ""
    address: Annotated[str, Field(max_length=300)] = ""
    head_title: Annotated[str, Field(max_length=100)] = ""  # 文書の発信者, e.g. 福島県企画調整部長


class TenantFile(_Strict):
    """The whole tenant.toml."""

    slug: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
    name: Text
    prefecture: Text
    office_name: Text
    council_name: str = ""
    provider_label: Text = "会員企業"
    is_sample: bool = False
    categories_file: Text = "categories.csv"
    municipalities_file: Text = "municipalities.csv"
    bodies_file: OptionalText = None
    providers_file: OptionalText = None
    rules: Rules = Rules()
    calendar: Calendar | None = None
    notices: Notices = Notices()
    contact: Contact = Contact()


MESSAGES = {
    "missing": "必須のキーです",
    "extra_forbidden": "不明なキーです（綴りを確認してください）",
    "string_type": "文字列にしてください",
    "list_type": "配列にしてください",
    "bool_type": "true か false にしてください",
    "bool_parsing": "true か false にしてください",
    "float_type": "数値にしてください",
    "float_parsing": "数値にしてください",
    "greater_than": "0より大きい数にしてください",
    "less_than_equal": "大きすぎます",
    "model_type": "テーブル（[...]）にしてください",
    "string_pattern_mismatch": "英小文字・数字・ハイフン（40文字以内）にしてください",
    "dict_type": "テーブルにしてください",
}


def key_path(loc: tuple) -> str:
    """`("rules", "review_rubric", 0, "max")` → `rules.review_rubric[0].max`."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _message(error: dict) -> str:
    if error["type"] == "value_error":
        return str(error["ctx"]["error"])
    if error["type"] == "string_too_long":
        return f"{error['ctx']['max_length']}文字以内にしてください"
    if error["type"] == "literal_error":
        return "次のいずれかにしてください: " + str(error["ctx"]["expected"]).replace(" or ", ", ")
    return MESSAGES.get(error["type"], error["msg"])


def validate_tenant_file(data: dict, path) -> TenantFile:
    """Validate parsed tenant.toml `data`; cross-field rules are checked too (see `cross_field_problems`).

    Raises `TenantDefinitionError("<path>: <key path>: <message>")`, one line per problem.
    """
    try:
        parsed = TenantFile.model_validate(data)
    except ValidationError as exc:
        lines = [f"{path}: {key_path(e['loc']) or '(root)'}: {_message(e)}" for e in exc.errors()]
        raise TenantDefinitionError("\n".join(lines)) from None
    problems = cross_field_problems(parsed)
    if problems:
        raise TenantDefinitionError("\n".join(f"{path}: {key}: {message}" for key, message in problems))
    return parsed


def cross_field_problems(parsed: TenantFile) -> list[tuple[str, str]]:
    """Rules that involve several keys; returns `[(key path, Japanese message)]` (empty when fine)."""
    rules, problems = parsed.rules, []
    if rules.max_engagements_first_pass > rules.max_engagements_per_municipality:
        problems.append(("rules.max_engagements_first_pass", "max_engagements_per_municipality 以下にしてください"))
    if rules.max_engagements_per_municipality > rules.max_applications_per_municipality:
        problems.append(("rules.max_engagements_per_municipality",
                         "max_applications_per_municipality 以下にしてください（1申込から支援案件は1件まで）"))
    for key in ("applicant_kinds", "region_order", "area_order"):
        values = getattr(rules, key)
        if len(set(values)) != len(values):
            problems.append((f"rules.{key}", "同じ値が重複しています"))
    if not rules.applicant_kinds:
        problems.append(("rules.applicant_kinds", "1つ以上指定してください"))
    keys = [c.key for c in rules.review_rubric]
    if len(set(keys)) != len(keys):
        problems.append(("rules.review_rubric", "key が重複しています"))
    problems += _model_problems(parsed)
    problems += _calendar_problems(parsed)
    return problems


def _model_problems(parsed: TenantFile) -> list[tuple[str, str]]:
    rules, problems = parsed.rules, []
    annual = rules.call_model == "annual"
    if annual != (rules.provider_model == "company_menu"):
        problems.append(("rules.provider_model", ("company_menu は call_model = \"annual\" と、expert_themes・"
                                                  "commissioned_adviser は continuous・on_demand と組み合わせてください")))
    if annual and rules.applicant_kinds != ["municipality"]:
        problems.append(("rules.applicant_kinds", "年間募集（annual）の申込団体は現在 [\"municipality\"] だけに対応しています"))
    if annual and rules.max_dispatches_per_body_per_year is not None:
        problems.append(("rules.max_dispatches_per_body_per_year",
                         "年間募集（annual）では使えません（max_engagements_per_municipality を使ってください）"))
    if not annual and parsed.providers_file is None:
        problems.append(("providers_file", "専門家・アドバイザーの一覧（CSV）を指定してください"))
    if set(rules.applicant_kinds) - {"municipality"} and parsed.bodies_file is None:
        problems.append(("bodies_file", "教育委員会・商工会を申込団体にするときは団体一覧（CSV）を指定してください"))
    return problems


def _calendar_problems(parsed: TenantFile) -> list[tuple[str, str]]:
    annual = parsed.rules.call_model == "annual"
    if annual and parsed.calendar is None:
        return [("calendar", "年間募集（call_model = \"annual\"）には [calendar] が必要です")]
    if not annual:
        return [("calendar", "随時受付の事業では [calendar] は使いません（削除してください）")] if parsed.calendar else []
    problems, previous = [], None
    if parsed.calendar.applications is None:
        problems.append(("calendar.applications", "年間募集には申込受付の期間が必要です"))
    for phase in CALENDAR_PHASES:
        spec = getattr(parsed.calendar, phase)
        if spec is None:
            continue
        starts = _calendar_date(REFERENCE_FY, spec[0])
        if previous is not None and starts < previous[1]:
            problems.append((f"calendar.{phase}", f"開始日が前のフェーズ（{previous[0]}）の開始日より前です"))
        previous = (phase, starts)
    return problems
