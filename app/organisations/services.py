"""Organisation services: create, edit, deactivate and reactivate the tenant's municipalities,
providers and other applicant bodies, with the rules of the tenant loader (`app.tenancy.loader`).

Values are plain dicts keyed by `FIELDS` (text already trimmed by the form or the importer):
`lg_code`, `name`, `kana`, `municipality_kind` (市/町/村), `district` (郡), `region`, `area`,
`is_evacuation_area` (bool), `themes` ([{"title", "categories": [code], "format"}]). Which of them
a kind takes is `fields_for(tenant, kind)`. `check_values` is shared with the Excel imports
(`app.imports.providers`, `app.imports.bodies`), so a form and an import refuse the same things.

Services flush, never commit, never read `flask.request`; every change is audited in the caller's
transaction (`organisation.create`, `organisation.update`, `organisation.deactivate`,
`organisation.reactivate`, with the changed fields). Errors are `OrganisationError`, whose
`problems` name the field in Japanese; a unique constraint hit by a concurrent save becomes the
same message, never an IntegrityError.
"""
from __future__ import annotations

import sqlalchemy as sa

from app.auth.sessions import revoke_organisation_sessions
from app.core.audit import record_audit
from app.extensions import db
from app.organisations import queries
from app.tenancy.loader import FORMATS, lg_code_is_valid
from app.tenancy.models import Organisation, OrganisationKind

FIELD_LABELS = {
    "lg_code": "市町村コード", "name": "名称", "kana": "よみがな", "municipality_kind": "市町村区分",
    "district": "郡", "region": "地域", "area": "地方", "is_evacuation_area": "市町村グループ",
    "themes": "登録テーマ",
}
MUNICIPALITY_FIELDS = ("lg_code", "name", "kana", "municipality_kind", "district", "region", "area", "is_evacuation_area")
BODY_FIELDS = ("name", "kana", "region", "area")
MUNICIPALITY_KINDS = ("市", "町", "村")
LIMITS = {"name": 200, "kana": 200, "district": 40, "region": 20, "area": 20}
THEME_TITLE_LIMIT = 200
MAX_THEMES = 20
DEFAULTS = {"lg_code": None, "name": "", "kana": "", "municipality_kind": "", "district": "", "region": "", "area": "",
            "is_evacuation_area": False, "themes": []}

Problem = tuple[str | None, str]  # (field of FIELD_LABELS or None for the whole form, Japanese message)


class OrganisationError(ValueError):
    """A refused create / edit / state change; `problems` lists (field or None, message)."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("／".join(f"{FIELD_LABELS[f]}：{m}" if f else m for f, m in problems))


def has_themes(tenant) -> bool:
    """True when the tenant's providers carry registered themes: registered experts
    (`expert_themes`, 003:1647) and the commissioned adviser (`commissioned_adviser`, 003:1605);
    member companies (`company_menu`) propose menu items instead."""
    return tenant.rule("provider_model", "company_menu") != "company_menu"


def is_single_adviser(tenant) -> bool:
    """True when the program has one commissioned adviser (業務委託, 003:1605): at most one active provider."""
    return tenant.rule("provider_model", "company_menu") == "commissioned_adviser"


def fields_for(tenant, kind: OrganisationKind) -> tuple[str, ...]:
    """The value keys organisations of `kind` take in `tenant` (see the module docstring)."""
    if kind == OrganisationKind.MUNICIPALITY:
        return MUNICIPALITY_FIELDS
    if kind == OrganisationKind.PROVIDER:
        return ("name", "kana", "themes") if has_themes(tenant) else ("name", "kana")
    return BODY_FIELDS


def _kind_word(tenant, kind: OrganisationKind) -> str:
    return queries.kind_label(tenant, kind)


def check_values(tenant, kind: OrganisationKind, values: dict, *, exclude_id: int | None = None,
                 only: tuple[str, ...] | None = None) -> list[Problem]:
    """Every problem of `values` for an organisation of `kind` in `tenant` (empty: valid).

    Rules: name required and unique per kind; lg_code a valid 全国地方公共団体コード (check digit) unique
    in the tenant; 市/町/村; region / area from `rules.region_order` / `rules.area_order` when the
    tenant lists them; lengths of the columns; themes with a title, categories of the tenant's
    taxonomy (`tenant.categories`) and a format onsite / online / hybrid. `exclude_id`: the
    organisation being edited (it does not collide with itself); `only`: check just these fields
    (an import checks its theme rows one by one). Reads the database, writes nothing.
    """
    fields = tuple(f for f in fields_for(tenant, kind) if only is None or f in only)
    problems: list[Problem] = []
    if "name" in fields:
        problems += _check_name(tenant, kind, values.get("name", ""), exclude_id)
    if "lg_code" in fields:
        problems += _check_lg_code(tenant, values.get("lg_code") or "", exclude_id)
    if "municipality_kind" in fields and values.get("municipality_kind", "") not in MUNICIPALITY_KINDS:
        problems.append(("municipality_kind", "市・町・村のいずれかを選んでください。"))
    for key in ("region", "area"):
        order = tenant.rule(f"{key}_order", []) or []
        if key in fields and order and values.get(key) and values[key] not in order:
            problems.append((key, f"次のいずれかにしてください：{'、'.join(order)}"))
    for key, limit in LIMITS.items():
        if key in fields and len(values.get(key) or "") > limit:
            problems.append((key, f"{limit}文字以内にしてください。"))
    if "themes" in fields:
        problems += check_themes(tenant, values.get("themes") or [])
    return problems


def _check_name(tenant, kind: OrganisationKind, name: str, exclude_id: int | None) -> list[Problem]:
    if not name:
        return [("name", "必須です。")]
    if queries.same_name(tenant, kind, name, exclude_id=exclude_id) is not None:
        return [("name", f"同じ名前の{_kind_word(tenant, kind)}が既に登録されています（{name}）。")]
    return []


def _check_lg_code(tenant, code: str, exclude_id: int | None) -> list[Problem]:
    if not lg_code_is_valid(code):
        return [("lg_code", f"6桁の全国地方公共団体コード（最後の1桁が検査数字として正しいもの）にしてください（{code or '未入力'}）。")]
    other = queries.same_lg_code(tenant, code, exclude_id=exclude_id)
    if other is not None:
        return [("lg_code", f"この市町村コードは「{other.name}」に登録されています（{code}）。")]
    return []


def check_themes(tenant, themes: list[dict]) -> list[Problem]:
    """Problems of registered themes ([{"title", "categories", "format"}]; at least one, at most
    `MAX_THEMES`, categories of `tenant.categories`, format of `app.tenancy.loader.FORMATS`)."""
    codes = {c["code"] for c in tenant.categories or []}
    problems: list[Problem] = []
    if not themes:
        problems.append(("themes", "1つ以上入力してください。"))
    if len(themes) > MAX_THEMES:
        problems.append(("themes", f"{MAX_THEMES}件までにしてください。"))
    for number, theme in enumerate(themes, start=1):
        where = f"{number}件目："
        if not theme.get("title"):
            problems.append(("themes", f"{where}テーマ名を入力してください。"))
        elif len(theme["title"]) > THEME_TITLE_LIMIT:
            problems.append(("themes", f"{where}テーマ名は{THEME_TITLE_LIMIT}文字以内にしてください。"))
        if unknown := [c for c in theme.get("categories", []) if c not in codes]:
            problems.append(("themes", f"{where}分類「{'、'.join(unknown)}」はこの事業の分類一覧にありません。"))
        if theme.get("format") not in FORMATS:
            problems.append(("themes", f"{where}実施形式を選んでください。"))
    return problems


def _check_single_adviser(tenant, *, exclude_id: int | None) -> list[Problem]:
    others = queries.active_providers(tenant, exclude_id=exclude_id) if is_single_adviser(tenant) else []
    if others:
        return [(None, f"委託アドバイザーは1者だけ有効にできます。現在の委託先「{others[0].name}」を無効にしてから登録してください。")]
    return []


def _clean(tenant, kind: OrganisationKind, values: dict) -> dict:
    """The values `kind` takes, with defaults for the missing ones (nothing else is assigned)."""
    return {key: values.get(key, DEFAULTS[key]) for key in fields_for(tenant, kind)}


def _write_unique(tenant, kind: OrganisationKind, values: dict, exclude_id: int | None, write) -> None:
    """Run `write()` (add or assign) and flush inside a savepoint: a concurrent save of the same
    name / code (unique constraints) gives the Japanese message instead of an IntegrityError, and
    the rest of the transaction stays usable. (`begin_nested` flushes what is pending first, so
    the change must be made inside it.)"""
    try:
        with db.session.begin_nested():
            write()
            db.session.flush()
    except sa.exc.IntegrityError:
        problems = check_values(tenant, kind, values, exclude_id=exclude_id) or [
            ("name", "同じ名前または市町村コードの組織が既に登録されています。")]
        raise OrganisationError(problems) from None


def create_organisation(tenant, kind: OrganisationKind, values: dict, *, actor) -> Organisation:
    """Create an active organisation of `kind` (one of `queries.managed_kinds(tenant)`) from
    `values`. Raises `OrganisationError` for a kind the tenant does not use, invalid values
    (`check_values`) or a second active commissioned adviser. Audits `organisation.create`."""
    if kind not in queries.managed_kinds(tenant):
        raise OrganisationError([(None, "この事業ではこの種類の組織を登録できません。")])
    values = _clean(tenant, kind, values)
    problems = check_values(tenant, kind, values)
    if kind == OrganisationKind.PROVIDER:
        problems += _check_single_adviser(tenant, exclude_id=None)
    if problems:
        raise OrganisationError(problems)
    # A sample tenant's organisations are samples too (as `app.tenancy.loader` marks them).
    org = Organisation(tenant_id=tenant.id, kind=kind, is_active=True, is_sample=bool(tenant.is_sample), **values)
    _write_unique(tenant, kind, values, None, lambda: db.session.add(org))
    record_audit("organisation.create", tenant_id=tenant.id, actor=actor, target=org,
                 changes={"kind": kind.value, **values})
    return org


def update_organisation(tenant, org: Organisation, values: dict, *, actor) -> dict:
    """Apply `values` to `org` (only the fields its kind takes). Returns the changes
    `{field: [old, new]}` (empty: nothing changed, nothing audited). Raises `OrganisationError`
    for invalid values (`check_values`). Audits `organisation.update` with the changes."""
    values = _clean(tenant, org.kind, values)
    problems = check_values(tenant, org.kind, values, exclude_id=org.id)
    if problems:
        raise OrganisationError(problems)
    changes = {key: [getattr(org, key), new] for key, new in values.items() if getattr(org, key) != new}
    if not changes:
        return {}

    def write():
        for key, (_old, new) in changes.items():
            setattr(org, key, new)

    _write_unique(tenant, org.kind, values, org.id, write)
    record_audit("organisation.update", tenant_id=tenant.id, actor=actor, target=org, changes=changes)
    return changes


def deactivate_organisation(tenant, org: Organisation, *, actor) -> dict:
    """Deactivate `org`: its users can no longer log in (`app.auth` refuses users of an inactive
    organisation) and their live sessions end now (`revoke_organisation_sessions`); it leaves the
    choices of new records (invitations, 利害関係, menus). Its accounts, applications,
    engagements and menu items stay as they are; nothing else is deactivated.

    Returns `{"users": active accounts affected, "sessions": sessions ended}`. Raises
    `OrganisationError` when already inactive. Audits `organisation.deactivate`."""
    if not org.is_active:
        raise OrganisationError([(None, "この組織は既に無効です。")])
    users = queries.user_counts(tenant, [org.id]).get(org.id, 0)
    org.is_active = False
    db.session.flush()
    sessions = revoke_organisation_sessions(org, reason="organisation_deactivated")
    record_audit("organisation.deactivate", tenant_id=tenant.id, actor=actor, target=org,
                 changes={"is_active": [True, False], "users": users, "sessions": sessions})
    db.session.flush()
    return {"users": users, "sessions": sessions}


def reactivate_organisation(tenant, org: Organisation, *, actor) -> None:
    """Make `org` active again: its active accounts can log in with their passwords. Raises
    `OrganisationError` when already active, or for a second active commissioned adviser.
    Audits `organisation.reactivate`."""
    if org.is_active:
        raise OrganisationError([(None, "この組織は既に有効です。")])
    if org.kind == OrganisationKind.PROVIDER and (problems := _check_single_adviser(tenant, exclude_id=org.id)):
        raise OrganisationError(problems)
    org.is_active = True
    record_audit("organisation.reactivate", tenant_id=tenant.id, actor=actor, target=org,
                 changes={"is_active": [False, True]})
    db.session.flush()
