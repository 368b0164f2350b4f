"""Saving 事業設定: every save is validated by the schema of tenant.toml (`app.tenancy.schema`: the
same pydantic models and `cross_field_problems` as `flask tenants import`), guarded by
`Tenant.version_id` (a save started from an older version that would overwrite another edit raises
`ConflictError`), audited as `settings.<section>` with the before/after of each changed key, and
flushed, never committed.

Validation errors raise `SettingsError`, whose `problems` are `[(field, Japanese message)]`; the
field is the form field's name (a rules key such as `max_choices`, or a row reference).
"""
from __future__ import annotations

from collections.abc import Callable, Mapping

import sqlalchemy as sa
from pydantic import ValidationError

from app.core.audit import record_audit
from app.core.conflicts import guard_version
from app.extensions import db
from app.tenancy.definition import stored_rules
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from app.tenancy.schema import TenantFile, _message, cross_field_problems, key_path


class SettingsError(ValueError):
    """The input is invalid; `problems` = `[(field name, Japanese message)]`, nothing written."""

    def __init__(self, problems: list[tuple[str, str]]):
        super().__init__("; ".join(f"{f}: {m}" for f, m in problems))
        self.problems = problems


def validate_tenant(tenant: Tenant, **overrides) -> TenantFile:
    """The tenant as tenant.toml would hold it with `overrides` (identity keys, `rules`, `calendar`,
    `contact`), validated by `TenantFile` and `cross_field_problems` (those about the overridden
    keys). Organisation lists live in the database, so the file-name checks are satisfied. Raises `SettingsError` keyed by key path
    (`rules.max_choices`, `calendar.applications`, `contact.email`, `name`)."""
    data = {"slug": tenant.slug, "name": tenant.name, "prefecture": tenant.prefecture,
            "office_name": tenant.office_name, "council_name": tenant.council_name or "",
            "provider_label": tenant.provider_label, "bodies_file": "db", "providers_file": "db",
            "rules": stored_rules(tenant), "calendar": tenant.calendar or None,
            "contact": dict(tenant.profile or {})}
    data.update(overrides)
    try:
        parsed = TenantFile.model_validate(data)
    except ValidationError as exc:
        raise SettingsError([(key_path(e["loc"]), _message(e)) for e in exc.errors()]) from None
    # Only problems of what this save changes: a tenant being set up (e.g. created on /admin/
    # without a calendar yet) can still save its other sections.
    sections = set(overrides)
    if problems := [(k, m) for k, m in cross_field_problems(parsed) if k.split(".")[0] in sections]:
        raise SettingsError(problems)
    return parsed


def save_section(tenant: Tenant, section: str, new: Mapping, *, current: Callable[[Tenant], dict],
                 apply: Callable[[Tenant, dict], None], labels: Mapping, version_id: int | None, actor) -> dict:
    """Write `new` (the section's values, keyed like `current(tenant)`) with `apply`, when it changes
    anything. Raises `ConflictError` when the tenant was saved since `version_id` with other values.
    Returns `{key: {"before", "after"}}` of the changed keys (empty: nothing written, no audit)."""
    guard_version(tenant, version_id, mine=dict(new), theirs=lambda: current(tenant), labels=labels)
    before = current(tenant)
    changes = {k: {"before": before.get(k), "after": v} for k, v in new.items() if before.get(k) != v}
    if not changes:
        return {}
    apply(tenant, dict(new))
    tenant.version_id = (tenant.version_id or 0) + 1
    db.session.flush()
    record_audit(f"settings.{section}", tenant_id=tenant.id, actor=actor, target=tenant, changes=changes)
    return changes


# --- 基本情報 ------------------------------------------------------------------------------------

IDENTITY_KEYS = ("name", "office_name", "council_name", "provider_label")
CONTACT_KEYS = ("phone", "email", "address", "head_title")
IDENTITY_LIMITS = {"name": 200, "office_name": 100, "council_name": 200, "provider_label": 40}  # the Tenant columns


def basic_of(tenant: Tenant) -> dict:
    """基本情報 as `{name, office_name, council_name, provider_label, phone, email, address, head_title}`."""
    return {**{k: getattr(tenant, k) or "" for k in IDENTITY_KEYS}, **{k: tenant.contact(k) for k in CONTACT_KEYS}}


def save_basic(tenant: Tenant, values: Mapping, *, version_id: int | None, actor) -> dict:
    """Save 基本情報 (`basic_of` keys); the program office organisation is renamed with the office.
    Raises `SettingsError` (field = key) or `ConflictError`."""
    if too_long := [(k, f"{limit}文字以内にしてください") for k, limit in IDENTITY_LIMITS.items() if len(values[k]) > limit]:
        raise SettingsError(too_long)
    parsed = validate_tenant(tenant, **{k: values[k] for k in IDENTITY_KEYS},
                             contact={k: values[k] for k in CONTACT_KEYS})
    clean = {**{k: getattr(parsed, k) for k in IDENTITY_KEYS}, **parsed.contact.model_dump()}

    def apply(t: Tenant, new: dict) -> None:
        for key in IDENTITY_KEYS:
            setattr(t, key, new[key])
        t.profile = {k: new[k] for k in CONTACT_KEYS}
        office = db.session.scalar(sa.select(Organisation).where(Organisation.tenant_id == t.id,
                                                                 Organisation.kind == OrganisationKind.OFFICE))
        if office is not None:
            office.name = f"{t.prefecture} {t.office_name}"

    return save_section(tenant, "basic", clean, current=basic_of, apply=apply, labels=BASIC_LABELS,
                        version_id=version_id, actor=actor)


BASIC_LABELS = {"name": "事業名", "office_name": "担当課", "council_name": "協議会名", "provider_label": "提供者の呼び方",
                "phone": "電話番号", "email": "メールアドレス", "address": "所在地", "head_title": "文書の発信者（職名）"}


# --- rules, rubric, calendar (rules / calendar JSON of the tenant) ---------------------------------

def rules_of(tenant: Tenant, keys) -> dict:
    """The tenant's rules (every `Rules` key filled with its default) restricted to `keys`."""
    rules = stored_rules(tenant)
    return {k: rules[k] for k in keys}


def save_rules(tenant: Tenant, values: Mapping, *, section: str = "rules", version_id: int | None, actor,
               labels: Mapping) -> dict:
    """Save some `[rules]` keys (`values` = `{rules key: value}`), validated with the rest of the
    tenant. Raises `SettingsError` (field = key path such as `rules.max_choices`) or `ConflictError`."""
    parsed = validate_tenant(tenant, rules={**stored_rules(tenant), **values})
    dumped = parsed.rules.model_dump()
    clean = {k: dumped[k] for k in values}

    def apply(t: Tenant, new: dict) -> None:
        t.rules = {**(t.rules or {}), **new}

    return save_section(tenant, section, clean, current=lambda t: rules_of(t, list(values)), apply=apply,
                        labels=labels, version_id=version_id, actor=actor)


def save_calendar(tenant: Tenant, calendar: dict, *, version_id: int | None, actor) -> dict:
    """Save the calendar template (`{phase: ["+Y-MM-DD", "+Y-MM-DD"]}`; phases left out have no
    window). Raises `SettingsError` (field = `calendar.<phase>`) or `ConflictError`."""
    parsed = validate_tenant(tenant, calendar=calendar or None)
    clean = parsed.calendar.model_dump(exclude_none=True) if parsed.calendar else {}

    def apply(t: Tenant, new: dict) -> None:
        t.calendar = new["calendar"]

    return save_section(tenant, "calendar", {"calendar": clean}, current=lambda t: {"calendar": t.calendar or {}},
                        apply=apply, labels={"calendar": "年間スケジュール"}, version_id=version_id, actor=actor)


# --- 地域・エリア ----------------------------------------------------------------------------------

PLACE_COLUMNS = {"region": "region_order", "area": "area_order"}
PLACE_LABELS = {"region": "地域", "area": "地方・エリア"}


def places_in_use(tenant: Tenant, column: str) -> dict[str, int]:
    """`{region or area name: number of the tenant's organisations using it}` (column "region"/"area")."""
    attr = getattr(Organisation, column)
    rows = db.session.execute(sa.select(attr, sa.func.count(Organisation.id)).where(
        Organisation.tenant_id == tenant.id, attr != "").group_by(attr))
    return {name: count for name, count in rows}


def places_of(tenant: Tenant, column: str) -> list[str]:
    """The names in display order: `rules.<column>_order`, then names organisations use that it lacks."""
    order = list(stored_rules(tenant)[PLACE_COLUMNS[column]])
    return order + sorted(n for n in places_in_use(tenant, column) if n not in order)


def save_places(tenant: Tenant, rows: dict[str, list[tuple[str | None, str]]], *, version_id: int | None,
                actor) -> dict:
    """Save regions and areas: `rows = {"region"|"area": [(original name or None for a new one,
    new name), …]}` in display order; names left out are removed. A renamed name is renamed on the
    tenant's organisations in the same transaction; a name still used by organisations cannot be
    removed. Raises `SettingsError` (field = column) or `ConflictError`."""
    problems, renames = [], {}
    for column, entries in rows.items():
        kept = {original for original, _ in entries if original}
        for name, count in places_in_use(tenant, column).items():
            if name not in kept:
                problems.append((column, f"{PLACE_LABELS[column]}「{name}」は {count} 団体が使っているため削除できません"
                                         "（先に団体の所属を変更してください）"))
        renames[column] = {o: n for o, n in entries if o and o != n}
    if problems:
        raise SettingsError(problems)
    values = {PLACE_COLUMNS[c]: [name for _, name in entries] for c, entries in rows.items()}
    try:
        validate_tenant(tenant, rules={**stored_rules(tenant), **values})
    except SettingsError as exc:
        raise SettingsError([(k.removeprefix("rules.").removesuffix("_order"), m) for k, m in exc.problems]) from None

    def apply(t: Tenant, new: dict) -> None:
        t.rules = {**(t.rules or {}), **new}
        for column, mapping in renames.items():
            for old, name in mapping.items():
                # A bulk UPDATE is not covered by the scoping listener: filtered by tenant by hand.
                db.session.execute(sa.update(Organisation).where(Organisation.tenant_id == t.id,
                                                                 getattr(Organisation, column) == old)
                                   .values({column: name}).execution_options(synchronize_session="fetch"))

    current = {PLACE_COLUMNS[c]: places_of(tenant, c) for c in rows}
    new = {k: v for k, v in values.items()}
    if not renames.get("region") and not renames.get("area") and current == new:
        return {}
    return save_section(tenant, "regions", new, current=lambda t: {PLACE_COLUMNS[c]: places_of(t, c) for c in rows},
                        apply=apply, labels={"region_order": "地域", "area_order": "地方・エリア"},
                        version_id=version_id, actor=actor)


# --- DX分類 ---------------------------------------------------------------------------------------

CATEGORY_CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def categories_in_use(tenant: Tenant) -> dict[str, int]:
    """`{category code: number of rows using it}` over menu items and proposals, support sessions, cases,
    DX課題把握 answers and providers' registered themes of the tenant."""
    from app.cases.models import Case
    from app.engagements.models import SupportSession
    from app.menus.models import MenuItem, MenuProposal
    from app.needs.models import NeedsSurveyResponse

    counts: dict[str, int] = {}
    for model in (MenuItem, MenuProposal, SupportSession, Case, NeedsSurveyResponse):
        for codes in db.session.scalars(sa.select(model.categories).where(model.tenant_id == tenant.id)):
            for code in set(codes or []):
                counts[code] = counts.get(code, 0) + 1
    for themes in db.session.scalars(sa.select(Organisation.themes).where(Organisation.tenant_id == tenant.id)):
        for code in {c for theme in themes or [] for c in theme.get("categories", [])}:
            counts[code] = counts.get(code, 0) + 1
    return counts


def save_categories(tenant: Tenant, rows: list[tuple[str, str]], *, version_id: int | None, actor) -> dict:
    """Save the DX categories `[(code, label)]` in display order (codes left out are removed).
    A code is 1–40 letters, digits, - or _, unique; a code in use cannot be removed.
    Raises `SettingsError` (field = `categories`) or `ConflictError`."""
    problems = []
    codes = [code for code, _ in rows]
    for number, (code, label) in enumerate(rows, start=1):
        if not code or len(code) > 40 or set(code) - CATEGORY_CODE_CHARS:
            problems.append(("categories", f"{number}行目 コード: 半角英数字・-・_（40文字以内）にしてください"))
        if not label.strip() or len(label) > 100:
            problems.append(("categories", f"{number}行目 表示名: 1〜100文字で入力してください"))
        if codes.count(code) > 1 and codes.index(code) != number - 1:
            problems.append(("categories", f"{number}行目 コード: 「{code}」が重複しています"))
    for code, count in sorted(categories_in_use(tenant).items()):
        if code not in codes and any(c["code"] == code for c in tenant.categories or []):
            problems.append(("categories", f"分類「{tenant.category_label(code)}」（{code}）は {count} 件で使われているため削除できません"))
    if not rows:
        problems.append(("categories", "分類を1つ以上登録してください"))
    if problems:
        raise SettingsError(problems)
    new = {"categories": [{"code": code, "label": label.strip()} for code, label in rows]}

    def apply(t: Tenant, values: dict) -> None:
        t.categories = values["categories"]

    return save_section(tenant, "categories", new, current=lambda t: {"categories": list(t.categories or [])},
                        apply=apply, labels={"categories": "DX分類"}, version_id=version_id, actor=actor)


# --- 通知文 / タイル地図 ------------------------------------------------------------------------------

def save_notification_text(tenant: Tenant, kind: str, subject: str, body: str, *, version_id: int | None,
                           actor) -> dict:
    """Override the subject and body of notice `kind` (equal to the default: the override is
    dropped). Unknown placeholders are refused with the allowed ones listed.
    Raises `SettingsError` (field = subject/body), `KeyError` for an unknown kind, or `ConflictError`."""
    from app.notifications.texts import DEFAULTS

    default = DEFAULTS[kind]
    if problems := text_problems_of(kind, subject, body):
        raise SettingsError(problems)
    override = None if (subject, body) == default else {"subject": subject, "body": body}
    return _save_text(tenant, kind, override, version_id=version_id, actor=actor)


def reset_notification_text(tenant: Tenant, kind: str, *, actor) -> dict:
    """Drop the tenant's override of `kind` (back to the default text). Raises `KeyError` for an unknown kind."""
    from app.notifications.texts import DEFAULTS

    DEFAULTS[kind]
    return _save_text(tenant, kind, None, version_id=None, actor=actor)


def _save_text(tenant: Tenant, kind: str, override: dict | None, *, version_id, actor) -> dict:
    def current(t: Tenant) -> dict:
        return {kind: (t.notification_texts or {}).get(kind)}

    def apply(t: Tenant, new: dict) -> None:
        texts = dict(t.notification_texts or {})
        texts.pop(kind, None)
        if new[kind] is not None:
            texts[kind] = new[kind]
        t.notification_texts = texts

    return save_section(tenant, "notifications", {kind: override}, current=current, apply=apply,
                        labels={kind: "通知文"}, version_id=version_id, actor=actor)


def save_tile_layout(tenant: Tenant, text: str | None, *, actor) -> dict:
    """Replace the tile-map layout with the uploaded CSV text (lg_code,row,col; every lg_code one of
    the tenant's municipalities, no two on one cell), or clear it when `text` is None.
    Raises `SettingsError` (field = `file`, the message names the line)."""
    from app.coverage.tile_map import TileLayoutError, parse_layout

    layout = None
    if text is not None:
        known = set(db.session.scalars(sa.select(Organisation.lg_code).where(
            Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.MUNICIPALITY)))
        try:
            layout = parse_layout(text, "CSV", known_codes=known)
        except TileLayoutError as exc:
            raise SettingsError([("file", str(exc))]) from None

    def apply(t: Tenant, new: dict) -> None:
        t.tile_layout = new["tile_layout"]

    return save_section(tenant, "tile_map", {"tile_layout": layout}, current=lambda t: {"tile_layout": t.tile_layout},
                        apply=apply, labels={"tile_layout": "タイル地図"}, version_id=None, actor=actor)


def text_problems_of(kind: str, subject: str, body: str) -> list[tuple[str, str]]:
    """`[(field, message)]` of a notice subject/body of `kind` (placeholders, braces, blanks)."""
    from app.notifications.texts import text_problems

    problems = [("subject", m) for m in text_problems(kind, subject)] + [("body", m) for m in text_problems(kind, body)]
    if not subject.strip():
        problems.append(("subject", "件名を入力してください"))
    if not body.strip():
        problems.append(("body", "本文を入力してください"))
    return problems


def notices_of(tenant: Tenant) -> dict:
    """`[notices]` of the tenant (every key of `Notices`, defaults filled in)."""
    from app.tenancy.schema import Notices

    return Notices.model_validate((tenant.rules or {}).get("notices") or {}).model_dump()


def save_notices(tenant: Tenant, values: Mapping, *, version_id: int | None, actor, labels: Mapping) -> dict:
    """Save when reminders go out (`[notices]`: `{key: days}`), validated by the schema's `Notices`.
    Raises `SettingsError` (field = `notices.<key>`) or `ConflictError`."""
    parsed = validate_tenant(tenant, notices=dict(values))
    clean = parsed.notices.model_dump()

    def apply(t: Tenant, new: dict) -> None:
        t.rules = {**(t.rules or {}), "notices": new}

    return save_section(tenant, "notices", clean, current=notices_of, apply=apply, labels=labels,
                        version_id=version_id, actor=actor)
