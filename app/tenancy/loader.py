"""Reads and validates `tenants/<slug>/` (tenant.toml + CSV master data); writing it into the
database is `app.tenancy.transfer.import_folder` (into a new or empty tenant only).

`tenant.toml` holds identity, `[rules]` (product.md §5), `[calendar]` (phase windows relative to the
fiscal year), the optional `[notices]` (reminder timings, stored as `tenant.rules["notices"]` and read
through `app.notifications.timings`) and file names, validated by `app.tenancy.schema`; `municipalities.csv` the municipalities
with their 全国地方公共団体コード; optional `bodies_file` the other applicant bodies (教育委員会・商工会)
and `providers_file` the registered experts or the commissioned adviser with their themes.
Errors name the file and the key or row (`TenantDefinitionError`).
"""
from __future__ import annotations

import csv
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from app.tenancy.models import APPLICANT_KINDS, Organisation, OrganisationKind, Tenant
from app.tenancy.schema import (
    TenantDefinitionError,
    validate_tenant_file,
)

# Applicant bodies the bodies CSV may hold: every applicant kind but municipalities (municipalities.csv).
OTHER_BODY_KINDS = {k.value for k in APPLICANT_KINDS} - {OrganisationKind.MUNICIPALITY.value}

__all__ = ["TenantDefinition", "TenantDefinitionError", "lg_code_is_valid", "read_definition", "tenant_folder",
           "upsert_municipalities"]

MUNICIPALITY_COLUMNS = ("lg_code", "name", "kana", "kind", "district", "region", "area", "evacuation_area_12")
BODY_COLUMNS = ("kind", "name", "kana", "region", "area")
PROVIDER_COLUMNS = ("name", "theme", "categories", "format")
FORMATS = ("onsite", "online", "hybrid")  # app.menus.states.DeliveryFormat


@dataclass
class TenantDefinition:
    """A parsed and validated `tenants/<slug>/` folder.

    `rules` / `calendar` are the validated `[rules]` (every key, defaults filled in) and `[calendar]`;
    `bodies` the non-municipal applicant bodies (教育委員会・商工会); `providers` the registered
    experts / commissioned adviser as `[{"name", "kana", "is_sample", "themes": [{"title", "categories", "format"}]}]`.
    """

    slug: str
    meta: dict
    rules: dict
    calendar: dict
    categories: list[dict]
    municipalities: list[dict] = field(default_factory=list)
    bodies: list[dict] = field(default_factory=list)
    providers: list[dict] = field(default_factory=list)
    notices: dict = field(default_factory=dict)


def lg_code_is_valid(code: str) -> bool:
    """True when `code` is 6 digits whose last is the check digit of 全国地方公共団体コード.

    check = (11 − (6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5) mod 11) mod 10 (shared/data/fukushima/README.md).
    """
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        return False
    digits = [int(c) for c in code]
    weighted = sum(w * d for w, d in zip((6, 5, 4, 3, 2), digits[:5]))
    return (11 - weighted % 11) % 10 == digits[5]


def read_definition(folder: Path) -> TenantDefinition:
    """Parse and validate a tenant folder (tenant.toml against `app.tenancy.schema`, then the CSVs).

    Raises `TenantDefinitionError` whose message names the file and the key path or row, e.g.
    `tenants/x/tenant.toml: rules.max_choices: 1以上10以下の整数にしてください`.
    """
    toml_path = folder / "tenant.toml"
    if not toml_path.is_file():
        raise TenantDefinitionError(f"{toml_path}: ファイルがありません")
    try:
        data = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TenantDefinitionError(f"{toml_path}: TOMLの書式が正しくありません（{exc}）") from exc
    parsed = validate_tenant_file(data, toml_path)
    if parsed.slug != folder.name:
        raise TenantDefinitionError(f"{toml_path}: slug: フォルダ名 '{folder.name}' と同じにしてください")
    categories = _read_categories(folder / parsed.categories_file)
    municipalities = _read_municipalities(folder / parsed.municipalities_file, parsed.rules.region_order,
                                          parsed.rules.area_order)
    bodies = _read_bodies(folder / parsed.bodies_file, parsed.rules.applicant_kinds) if parsed.bodies_file else []
    providers = []
    if parsed.providers_file:
        providers = _read_providers(folder / parsed.providers_file, {c["code"] for c in categories},
                                    parsed.rules.provider_model)
    meta = parsed.model_dump(exclude={"rules", "calendar", "notices"})
    calendar = parsed.calendar.model_dump(exclude_none=True) if parsed.calendar else {}
    return TenantDefinition(parsed.slug, meta, parsed.rules.model_dump(), calendar, categories, municipalities,
                            bodies, providers, parsed.notices.model_dump())


def _rows(path: Path, columns: tuple[str, ...]) -> list[dict]:
    if not path.is_file():
        raise TenantDefinitionError(f"{path}: ファイルがありません")
    reader = csv.DictReader(path.open(encoding="utf-8"))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise TenantDefinitionError(f"{path}: missing columns {', '.join(missing)}（列がありません）")
    return list(reader)


def _read_categories(path: Path) -> list[dict]:
    rows = _rows(path, ("code", "label"))
    for number, row in enumerate(rows, start=2):
        if not row.get("code") or not row.get("label"):
            raise TenantDefinitionError(f"{path}:{number}: 'code' and 'label' are required（必須です）")
    return [{"code": r["code"], "label": r["label"]} for r in rows]


def _read_municipalities(path: Path, region_order: list[str], area_order: list[str]) -> list[dict]:
    """Rows of the municipalities CSV; an optional `is_sample` column (1/0) marks fictional ones."""
    rows = _rows(path, MUNICIPALITY_COLUMNS)
    for number, row in enumerate(rows, start=2):
        if not lg_code_is_valid(row["lg_code"]):
            raise TenantDefinitionError(f"{path}:{number}: lg_code '{row['lg_code']}' has a wrong check digit"
                                        "（検査数字が正しくありません）")
        _check_order(path, number, row, "region", region_order)
        _check_order(path, number, row, "area", area_order)
    return rows


def _check_order(path: Path, number: int, row: dict, column: str, order: list[str]) -> None:
    if order and row[column] and row[column] not in order:
        raise TenantDefinitionError(f"{path}:{number}: {column} '{row[column]}' が rules.{column}_order にありません")


def _read_bodies(path: Path, applicant_kinds: list[str]) -> list[dict]:
    """Rows of the bodies CSV (教育委員会・商工会; no 全国地方公共団体コード); kinds must be applicant kinds."""
    rows = _rows(path, BODY_COLUMNS)
    for number, row in enumerate(rows, start=2):
        if row["kind"] not in OTHER_BODY_KINDS:
            raise TenantDefinitionError(f"{path}:{number}: kind '{row['kind']}' は board_of_education か "
                                        "chamber_of_commerce にしてください")
        if row["kind"] not in applicant_kinds:
            raise TenantDefinitionError(f"{path}:{number}: kind '{row['kind']}' が rules.applicant_kinds にありません")
        if not row["name"].strip():
            raise TenantDefinitionError(f"{path}:{number}: name: 必須です")
    return rows


def _read_providers(path: Path, category_codes: set[str], provider_model: str) -> list[dict]:
    """Experts / the adviser with their registered themes (one CSV row per theme, grouped by name)."""
    providers: dict[str, dict] = {}
    for number, row in enumerate(_rows(path, PROVIDER_COLUMNS), start=2):
        name, theme = row["name"].strip(), row["theme"].strip()
        categories = row["categories"].split()
        if not name or not theme:
            raise TenantDefinitionError(f"{path}:{number}: name と theme は必須です")
        if unknown := [c for c in categories if c not in category_codes]:
            raise TenantDefinitionError(f"{path}:{number}: categories '{' '.join(unknown)}' が分類一覧にありません")
        if row["format"] not in FORMATS:
            raise TenantDefinitionError(f"{path}:{number}: format は {', '.join(FORMATS)} のいずれかにしてください")
        entry = providers.setdefault(name, {"name": name, "kana": row.get("kana", ""), "themes": [],
                                            "is_sample": row.get("is_sample", "0") == "1"})
        entry["themes"].append({"title": theme, "categories": categories, "format": row["format"]})
    if provider_model == "commissioned_adviser" and len(providers) != 1:
        raise TenantDefinitionError(f"{path}: commissioned_adviser では委託アドバイザーを1名だけ登録してください"
                                    f"（{len(providers)}名）")
    if not providers:
        raise TenantDefinitionError(f"{path}: 専門家が登録されていません")
    return list(providers.values())


def upsert_municipalities(tenant: Tenant, rows: list[dict]) -> None:
    """Upsert municipality rows (CSV columns, keyed by lg_code) into the active tenant; never deletes.
    Shared by the import of a definition and the Excel 市町村マスタ import, so both agree."""
    existing = {
        o.lg_code: o
        for o in db.session.scalars(sa.select(Organisation).where(Organisation.kind == OrganisationKind.MUNICIPALITY))
    }
    for row in rows:
        org = existing.get(row["lg_code"])
        if org is None:
            org = Organisation(tenant_id=tenant.id, kind=OrganisationKind.MUNICIPALITY, lg_code=row["lg_code"])
            db.session.add(org)
        org.name = row["name"]
        org.kana = row["kana"]
        org.municipality_kind = row["kind"]
        org.district = row["district"]
        org.region = row["region"]
        org.area = row["area"]
        org.is_evacuation_area = row["evacuation_area_12"] == "1"
        org.is_sample = tenant.is_sample or row.get("is_sample", "0") == "1"


def tenant_folder(tenants_dir: str, slug: str) -> Path:
    """The folder of `slug` under the configured tenants directory."""
    return Path(tenants_dir) / slug
