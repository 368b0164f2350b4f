"""事業設定 (routes under /t/<tenant_slug>/settings/): the program office's own settings, operator
only (others 404). Each page: load → validate (the tenant.toml schema, in services) → save → commit
→ redirect with a message; bad input re-shows the form with the message on the field (400)."""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.auth.models import Role
from app.auth.permissions import role_required
from app.calls.states import WINDOW_PHASES
from app.core.conflicts import submitted_version
from app.core.wareki import fiscal_year_of
from app.core.clock import today_jst
from app.extensions import db
from app.settings import services
from app.settings.forms import NUMBER_RULES, BasicForm, RowsForm, RulesForm, calendar_form, notices_form
from app.settings.rows import posted_rows, read_rows, shown_rows
from app.settings.sections import SECTIONS
from app.tenancy.schema import _calendar_date

bp = Blueprint("settings", __name__, url_prefix="/t/<tenant_slug>/settings")
RULE_KEYS = ["call_model", "applicant_kinds", "applicant_labels", "provider_model", "focus_group_label", "cost_bearer",
             *(key for key, _label in NUMBER_RULES)]
LABEL_FIELDS = {"municipality": "label_municipality", "board_of_education": "label_board_of_education",
                "chamber_of_commerce": "label_chamber_of_commerce"}


def _actor():
    return current_user._get_current_object()


def _saved(changes: dict, endpoint: str, **values):
    db.session.commit()
    flash(_("保存しました。") if changes else _("変更はありませんでした。"), "success")
    return redirect(url_for(endpoint, **values))


@bp.route("/")
@role_required(Role.OPERATOR)
def index():
    """事業設定: the list of sections (those whose page exists)."""
    return render_template("settings/index.html", sections=SECTIONS)


@bp.route("/basic", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def basic():
    """基本情報: program and office names, council, provider label and the contact details on notices."""
    form = BasicForm(data={**services.basic_of(g.tenant), "version_id": g.tenant.version_id})
    if form.validate_on_submit():
        values = {name: form[name].data or "" for name in services.BASIC_LABELS}
        try:
            changes = services.save_basic(g.tenant, values, version_id=submitted_version(form.version_id.data),
                                          actor=_actor())
        except services.SettingsError as exc:
            db.session.rollback()
            form.put_problems(exc.problems, {f"contact.{k}": k for k in services.CONTACT_KEYS})
        else:
            return _saved(changes, ".basic")
    return _page("settings/form.html", form, title=_("基本情報"), fields=list(services.BASIC_LABELS))


def _page(template: str, form, **context):
    status = 400 if form.is_submitted() else 200
    return render_template(template, form=form, **context), status


def _rules_data() -> dict:
    rules = services.rules_of(g.tenant, RULE_KEYS)
    data = {k: ("" if rules[k] is None else rules[k]) for k in RULE_KEYS if k != "applicant_labels"}
    data |= {field: rules["applicant_labels"].get(kind, "") for kind, field in LABEL_FIELDS.items()}
    return data | {"version_id": g.tenant.version_id}


def _number(text):
    """A rules number as typed: an int when it is one, None when blank, else the text (the schema names it)."""
    text = "" if text is None else str(text).strip()
    if not text:
        return None
    return int(text) if text.isascii() and text.lstrip("-").isdigit() and len(text) < 10 else text


@bp.route("/rules", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def rules():
    """事業ルール: call model, applicant kinds and their labels, quotas and caps, number of choices,
    look-back and window years, provider model, the focus group of municipalities, cost bearer, stale
    weeks and report due days."""
    form = RulesForm(data=_rules_data())
    if form.validate_on_submit():
        values = {"call_model": form.call_model.data, "applicant_kinds": list(form.applicant_kinds.data or []),
                  "provider_model": form.provider_model.data, "cost_bearer": form.cost_bearer.data,
                  "focus_group_label": form.focus_group_label.data or None,
                  "applicant_labels": {k: form[f].data for k, f in LABEL_FIELDS.items() if form[f].data}}
        values |= {key: _number(form[key].data) for key, _label in NUMBER_RULES}
        try:
            changes = services.save_rules(g.tenant, values, version_id=submitted_version(form.version_id.data),
                                          actor=_actor(), labels=_rule_labels(form))
        except services.SettingsError as exc:
            db.session.rollback()
            fields = {f"rules.{k}": k for k in values} | {f"rules.applicant_labels.{k}": f for k, f in LABEL_FIELDS.items()}
            form.put_problems([(k, _readable(m)) for k, m in exc.problems], fields)
        else:
            return _saved(changes, ".rules")
    return _page("settings/form.html", form, title=_("事業ルール"),
                 fields=["call_model", "applicant_kinds", *LABEL_FIELDS.values(), "provider_model", "focus_group_label",
                         "cost_bearer",
                         *(key for key, _label in NUMBER_RULES)])


@bp.route("/notices", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def notices():
    """通知のタイミング: how many days before a deadline (or how often) each reminder goes out; a call
    may still override them on its own 通知設定 page."""
    from app.notifications.timings import LIMITS

    form = notices_form(LIMITS, data={**services.notices_of(g.tenant), "version_id": g.tenant.version_id})
    if form.validate_on_submit():
        values = {key: _number(form[key].data) for key in LIMITS}
        try:
            changes = services.save_notices(g.tenant, values, version_id=submitted_version(form.version_id.data),
                                            actor=_actor(), labels={k: str(v[2]) for k, v in LIMITS.items()})
        except services.SettingsError as exc:
            db.session.rollback()
            form.put_problems(exc.problems, {f"notices.{k}": k for k in LIMITS})
        else:
            return _saved(changes, ".notices")
    return _page("settings/form.html", form, title=_("通知のタイミング"), fields=list(LIMITS))


def _rule_labels(form) -> dict[str, str]:
    """`{rules key: Japanese label}` for the conflict page."""
    labels = {key: form[key].label.text for key in ("call_model", "applicant_kinds", "provider_model", "cost_bearer")}
    return labels | {"applicant_labels": "申込団体の呼び方"} | {key: str(label) for key, label in NUMBER_RULES}


def _readable(message: str) -> str:
    """A schema message with the rules keys it mentions replaced by their Japanese labels."""
    for key, label in sorted(NUMBER_RULES, key=lambda item: -len(item[0])):
        message = message.replace(f"{key} ", f"「{label}」").replace(key, f"「{label}」")
    return message


PLACE_COLUMNS = {"region": [("name", "名前")], "area": [("name", "名前")]}


@bp.route("/regions", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def regions():
    """地域・エリア: the names and display order of regions and areas; a rename also renames them on
    the tenant's organisations, a name in use cannot be removed."""
    form, errors = RowsForm(data={"version_id": g.tenant.version_id}), []
    if form.validate_on_submit():
        posted = {c: [(r.original, r.values["name"]) for r in read_rows(request.form, c, ["name"])] for c in PLACE_COLUMNS}
        try:
            changes = services.save_places(g.tenant, posted, version_id=submitted_version(form.version_id.data),
                                           actor=_actor())
        except services.SettingsError as exc:
            db.session.rollback()
            errors = [f"{services.PLACE_LABELS.get(k, k)}: {m}" for k, m in exc.problems]
        else:
            return _saved(changes, ".regions")
    lists = []
    for column in PLACE_COLUMNS:
        in_use = services.places_in_use(g.tenant, column)
        rows = (posted_rows(request.form, column, ["name"], "name") if errors else
                shown_rows([{"name": n, "count": in_use.get(n, 0)} for n in services.places_of(g.tenant, column)], "name"))
        lists.append({"prefix": column, "title": services.PLACE_LABELS[column], "columns": PLACE_COLUMNS[column],
                      "rows": rows, "counts": in_use})
    return render_template("settings/rows.html", form=form, errors=errors, lists=lists, title=_("地域・エリア"),
                           intro=_("表示順の数字の小さい順に並びます。名前を変えると、その地域・地方の団体の登録も変わります。")), \
        400 if errors else 200


CATEGORY_COLUMNS = [("code", "コード"), ("label", "表示名")]


@bp.route("/categories", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def categories():
    """DX分類: add, relabel and reorder the DX categories; a code in use cannot be removed."""
    form, errors = RowsForm(data={"version_id": g.tenant.version_id}), []
    if form.validate_on_submit():
        rows = [((r.original or r.values["code"]), r.values["label"]) for r in read_rows(request.form, "category", ["code", "label"])]
        try:
            changes = services.save_categories(g.tenant, rows, version_id=submitted_version(form.version_id.data),
                                               actor=_actor())
        except services.SettingsError as exc:
            db.session.rollback()
            errors = [m for _k, m in exc.problems]
        else:
            return _saved(changes, ".categories")
    in_use = services.categories_in_use(g.tenant)
    rows = (posted_rows(request.form, "category", ["code", "label"], "code") if errors else
            shown_rows(list(g.tenant.categories or []), "code"))
    lists = [{"prefix": "category", "title": _("DX分類"), "columns": CATEGORY_COLUMNS, "rows": rows, "counts": in_use,
              "fixed": "code"}]
    return render_template("settings/rows.html", form=form, errors=errors, lists=lists, title=_("DX分類"),
                           intro=_("登録済みの分類のコードは変えられません（表示名は変えられます）。使われている分類は削除できません。")), \
        400 if errors else 200


RUBRIC_COLUMNS = [("key", "項目キー"), ("label", "項目名"), ("max", "満点"), ("weight", "重み"), ("required", "必須（1/0）")]


def _criterion(values: dict) -> dict:
    def number(text: str):
        try:
            return int(text) if text.isdigit() else float(text)
        except ValueError:
            return text
    return {"key": values["key"], "label": values["label"], "max": number(values["max"]),
            "weight": number(values["weight"] or "1"), "required": values["required"] not in ("0", "いいえ", "")}


@bp.route("/rubric", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def rubric():
    """審査基準: the default rubric of menu review (key, label, max points, weight, required). Calls
    copy it when their review starts, so a change applies to reviews not yet started."""
    form, errors = RowsForm(data={"version_id": g.tenant.version_id}), []
    names = [c for c, _l in RUBRIC_COLUMNS]
    if form.validate_on_submit():
        criteria = [_criterion(r.values) for r in read_rows(request.form, "criterion", names)]
        try:
            changes = services.save_rules(g.tenant, {"review_rubric": criteria}, section="rubric",
                                          version_id=submitted_version(form.version_id.data), actor=_actor(),
                                          labels={"review_rubric": "審査基準"})
        except services.SettingsError as exc:
            db.session.rollback()
            errors = [_rubric_message(k, m) for k, m in exc.problems]
        else:
            return _saved(changes, ".rubric")
    stored = [{**c, "required": "1" if c["required"] else "0"} for c in services.rules_of(g.tenant, ["review_rubric"])["review_rubric"]]
    rows = posted_rows(request.form, "criterion", names, "key") if errors else shown_rows(stored, "key")
    lists = [{"prefix": "criterion", "title": _("評価項目"), "columns": RUBRIC_COLUMNS, "rows": rows, "counts": None}]
    return render_template("settings/rows.html", form=form, errors=errors, lists=lists, title=_("審査基準"),
                           intro=_("満点は1〜100、重みは0より大きい数、必須は1（はい）か0（いいえ）。")), 400 if errors else 200


def _rubric_message(key: str, message: str) -> str:
    """`rules.review_rubric[0].max` → 「1行目 満点: …」."""
    labels = dict(RUBRIC_COLUMNS)
    if key.startswith("rules.review_rubric[") and "]" in key:
        index, _sep, rest = key.removeprefix("rules.review_rubric[").partition("]")
        column = rest.removeprefix(".")
        if index.isdigit():
            return f"{int(index) + 1}行目 {labels.get(column, column)}: {message}"
    return f"評価項目: {message}"


@bp.route("/calendar", methods=["GET", "POST"])
@role_required(Role.OPERATOR)
def calendar():
    """年間スケジュール: each phase's window relative to the fiscal year ("+Y-MM-DD"), with the dates it
    gives for the next fiscal year. New calls are dated from it."""
    phases = [(p.value, str(p.label)) for p in WINDOW_PHASES]
    stored = g.tenant.calendar or {}
    data = {"version_id": g.tenant.version_id}
    for value, _label in phases:
        window = stored.get(value) or ["", ""]
        data |= {f"{value}_start": window[0], f"{value}_end": window[1]}
    form = calendar_form(phases, data=data)
    if form.validate_on_submit():
        posted = {}
        for value, _label in phases:
            start, end = form[f"{value}_start"].data, form[f"{value}_end"].data
            if start or end:
                posted[value] = [start, end]
        try:
            changes = services.save_calendar(g.tenant, posted, version_id=submitted_version(form.version_id.data),
                                             actor=_actor())
        except services.SettingsError as exc:
            db.session.rollback()
            form.put_problems(exc.problems, {f"calendar.{v}": f"{v}_start" for v, _l in phases})
        else:
            return _saved(changes, ".calendar")
    next_fy = fiscal_year_of(today_jst()) + 1
    return _page("settings/calendar.html", form, title=_("年間スケジュール"), phases=phases, fiscal_year=next_fy,
                 dates=_dates(stored, next_fy))


def _dates(calendar: dict, fiscal_year: int) -> dict:
    """`{phase: (start date, end date)}` of a stored calendar in `fiscal_year`."""
    out = {}
    for phase, window in calendar.items():
        try:
            out[phase] = tuple(_calendar_date(fiscal_year, spec) for spec in window)
        except (ValueError, TypeError):
            continue
    return out


def _kind_or_404(kind: str) -> str:
    from app.notifications.texts import DEFAULTS

    if kind not in DEFAULTS:
        abort(404)
    return kind


from app.settings import text_views  # noqa: E402,F401  (the 通知文 and タイル地図 pages register on `bp`)
