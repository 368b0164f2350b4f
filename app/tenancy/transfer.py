"""`tenants/<slug>/` as an import/export format; the database is the one source of truth.

A definition folder is read by a list of `Section`s (`SECTIONS`), each owning some files:

- `read(folder) -> data` parses and validates its files (raises `TenantDefinitionError`; `None`
  when the section's optional files are absent);
- `apply(tenant, data, actor=None)` writes `data` into a new or empty tenant (flushes);
- `differences(tenant, data) -> list[str]` says where the database differs from the files, one
  Japanese line each (only for what the files define);
- `write(tenant, folder)` writes the tenant's data back as files.

Another domain adds its files with one entry (the questionnaires' `app.questionnaires.transfer`).

`import_folder` loads a folder: into a new tenant, or one with no organisations yet (e.g. created
on /admin/), everything is applied; on any other tenant nothing is written: it is `unchanged` when
no section differs, else `TenantDiverged` lists the differences. Nothing here commits.
"""
from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import tomli_w

from app.core.audit import record_audit
from app.extensions import db
from app.tenancy.definition import apply_definition, definition_differences, write_definition
from app.tenancy.loader import read_definition
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from app.tenancy.schema import TenantDefinitionError
from app.tenancy.scoping import tenant_scope

NOTIFICATIONS_FILE = "notifications.toml"
TILE_LAYOUT_FILE = "tile_layout.csv"


@dataclass(frozen=True)
class Section:
    """One part of a tenant definition and the files it owns (see the module docstring)."""

    name: str
    read: Callable[[Path], object]
    apply: Callable[..., None]
    differences: Callable[[Tenant, object], list[str]]
    write: Callable[[Tenant, Path], list[str] | None]


class TenantDiverged(Exception):
    """The tenant in the database differs from the files; `differences` lists how (Japanese lines)."""

    def __init__(self, slug: str, differences: list[str]):
        super().__init__(f"{slug}: データベースの内容がファイルと異なるため取り込みません")
        self.slug = slug
        self.differences = differences


# --- notification texts (notifications.toml) -------------------------------------------------

def read_notification_texts(folder: Path) -> dict | None:
    """`{kind: {"subject", "body"}}` from notifications.toml (`[templates."kind"]`), None when absent.
    Raises `TenantDefinitionError` for an unknown kind, key or placeholder."""
    from app.notifications.texts import DEFAULTS, text_problems

    path = folder / NOTIFICATIONS_FILE
    if not path.is_file():
        return None
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise TenantDefinitionError(f"{path}: TOMLの書式が正しくありません（{exc}）") from exc
    texts = {}
    for kind, spec in (data.get("templates") or {}).items():
        if kind not in DEFAULTS or not isinstance(spec, dict) or set(spec) - {"subject", "body"}:
            raise TenantDefinitionError(f"{path}: templates.{kind}: 不明な通知の種類かキーです")
        for key, text in spec.items():
            problems = text_problems(kind, str(text))
            if problems:
                raise TenantDefinitionError(f"{path}: templates.{kind}.{key}: {problems[0]}")
        texts[kind] = {k: str(v) for k, v in spec.items()}
    return texts


def _apply_notification_texts(tenant: Tenant, texts: dict | None, actor=None) -> None:
    if texts is not None:
        tenant.notification_texts = texts


def _notification_differences(tenant: Tenant, texts: dict | None) -> list[str]:
    if texts is None:
        return []
    stored = tenant.notification_texts or {}
    return [f"通知文 {kind}: ファイルとデータベースで異なります" for kind in sorted(set(texts) | set(stored))
            if texts.get(kind) != stored.get(kind)]


def _write_notification_texts(tenant: Tenant, folder: Path) -> list[str]:
    path = folder / NOTIFICATIONS_FILE
    if not tenant.notification_texts:
        path.unlink(missing_ok=True)  # a stale file would re-import texts the tenant no longer has
        return []
    path.write_text(tomli_w.dumps({"templates": tenant.notification_texts}), encoding="utf-8")
    return [NOTIFICATIONS_FILE]


# --- tile layout (tile_layout.csv) -----------------------------------------------------------

def _read_tile_layout(folder: Path) -> list | None:
    from app.coverage.tile_map import TileLayoutError, parse_layout

    path = folder / TILE_LAYOUT_FILE
    if not path.is_file():
        return None
    try:
        return parse_layout(path.read_text(encoding="utf-8"), str(path))
    except TileLayoutError as exc:
        raise TenantDefinitionError(str(exc)) from exc


def _apply_tile_layout(tenant: Tenant, layout: list | None, actor=None) -> None:
    if layout is None:
        return
    with tenant_scope(tenant.id):
        known = set(db.session.scalars(sa.select(Organisation.lg_code).where(
            Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.MUNICIPALITY)))
    if unknown := sorted({code for code, _, _ in layout} - known):
        raise TenantDefinitionError(f"{TILE_LAYOUT_FILE}: lg_code {', '.join(unknown)} は市町村の一覧にありません")
    tenant.tile_layout = layout


def _tile_differences(tenant: Tenant, layout: list | None) -> list[str]:
    if layout is None or sorted(map(tuple, layout)) == sorted(map(tuple, tenant.tile_layout or [])):
        return []
    return ["タイル地図の配置: ファイルとデータベースで異なります"]


def _write_tile_layout(tenant: Tenant, folder: Path) -> list[str]:
    from app.coverage.tile_map import layout_csv

    path = folder / TILE_LAYOUT_FILE
    if not tenant.tile_layout:
        path.unlink(missing_ok=True)
        return []
    path.write_text(layout_csv(tenant.tile_layout), encoding="utf-8")
    return [TILE_LAYOUT_FILE]


# The questionnaires (survey.toml, needs_survey.toml) belong to app.questionnaires; imported here
# lazily so that tenancy does not import a domain at module load. Their functions need the tenant's
# scope active.

def _read_questionnaires(folder: Path) -> dict:
    from app.questionnaires import transfer

    try:
        return transfer.read_files(folder)
    except ValueError as exc:  # SurveyTemplateError / NeedsTemplateError name the file and key
        raise TenantDefinitionError(str(exc)) from exc


def _apply_questionnaires(tenant: Tenant, data: dict, *, actor=None) -> None:
    from app.questionnaires import transfer

    db.session.flush()  # a new tenant needs its id
    with tenant_scope(tenant.id):
        transfer.apply(tenant, data, actor=actor)


def _questionnaire_differences(tenant: Tenant, data: dict) -> list[str]:
    from app.questionnaires import transfer

    with tenant_scope(tenant.id):
        return transfer.differences(tenant, data)


def _write_questionnaires(tenant: Tenant, folder: Path) -> list[str]:
    from app.questionnaires import transfer

    with tenant_scope(tenant.id):
        transfer.write_files(tenant, folder)
    return [name for name in ("survey.toml", "needs_survey.toml") if (folder / name).is_file()]


SECTIONS: list[Section] = [
    Section("definition", read_definition, apply_definition, definition_differences, write_definition),
    Section("notifications", read_notification_texts, _apply_notification_texts, _notification_differences,
            _write_notification_texts),
    Section("tile_layout", _read_tile_layout, _apply_tile_layout, _tile_differences, _write_tile_layout),
    Section("questionnaires", _read_questionnaires, _apply_questionnaires, _questionnaire_differences,
            _write_questionnaires),
]


# --- import / export -------------------------------------------------------------------------

def read_folder(folder: Path) -> dict:
    """`{section name: data}` of every section of `folder`; raises `TenantDefinitionError`."""
    return {section.name: section.read(folder) for section in SECTIONS}


def is_empty(tenant: Tenant) -> bool:
    """True when the tenant has no organisations but its program office (nothing to overwrite)."""
    with tenant_scope(tenant.id):
        return not db.session.scalar(sa.select(sa.func.count(Organisation.id)).where(
            Organisation.tenant_id == tenant.id, Organisation.kind != OrganisationKind.OFFICE))


def import_folder(folder: Path, data: dict | None = None, *, actor=None) -> tuple[Tenant, str]:
    """Load the definition in `folder` (or its already read `data`); returns `(tenant, status)`
    with status "created" (new or empty tenant, everything applied, audited `tenant.imported`) or
    "unchanged" (the database equals the files; nothing written).

    Raises `TenantDefinitionError` for invalid files and `TenantDiverged` when the tenant exists,
    is not empty and differs (nothing written). Flushes, never commits."""
    data = read_folder(folder) if data is None else data
    slug = data["definition"].slug
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
    if tenant is not None and not is_empty(tenant):
        found = [line for section in SECTIONS for line in section.differences(tenant, data[section.name])]
        if found:
            raise TenantDiverged(slug, found)
        return tenant, "unchanged"
    tenant = tenant or Tenant(slug=slug)
    for section in SECTIONS:
        section.apply(tenant, data[section.name], actor=actor)
    db.session.flush()
    record_audit("tenant.imported", tenant_id=tenant.id, actor=actor, target=tenant,
                 changes={"folder": folder.name, "sections": [s.name for s in SECTIONS if data[s.name] is not None]})
    return tenant, "created"


def export_tenant(tenant: Tenant, folder: Path) -> list[str]:
    """Write every section of `tenant` into `folder` (created); returns the file names written."""
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for section in SECTIONS:
        written += section.write(tenant, folder) or []
    return written


def ensure_imported(folder: Path) -> Tenant:
    """The tenant named by `folder`'s tenant.toml: the one in the database as it is (never
    overwritten), else imported from the folder. For seeds and tests; raises `TenantDefinitionError`."""
    data = read_folder(folder)
    tenant = db.session.scalar(sa.select(Tenant).where(Tenant.slug == data["definition"].slug))
    return tenant if tenant is not None else import_folder(folder, data)[0]
