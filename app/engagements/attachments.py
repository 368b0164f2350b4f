"""Session attachments: checked by size, extension AND content (magic bytes, `filetype`), stored as
`<ATTACHMENT_DIR>/<tenant_id>/<random token>` outside the web root (never under the user's name;
the original name is kept in the database only). Downloads are access-checked by the view.

Config: `ATTACHMENT_MAX_BYTES` (default 10 MB), `ATTACHMENT_MAX_FILES` per session (default 5),
`ATTACHMENT_DIR` (default `<instance>/attachments`).
"""
from __future__ import annotations

import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import filetype
from flask import current_app
from flask_babel import gettext as _

from app.core.audit import record_audit
from app.engagements.models import SessionAttachment, SupportSession
from app.engagements.services import EngagementError
from app.extensions import db

# Allowed extension → the MIME type its content must have (quality.md: no trust in names).
ALLOWED = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ACCEPT_ATTR = ",".join(f".{ext}" for ext in ALLOWED)  # for <input type="file" accept=…>


@dataclass(frozen=True)
class Upload:
    """One uploaded file as read by the view: the user's file name and up to max+1 bytes."""

    filename: str
    data: bytes


def max_bytes() -> int:
    """Size limit of one attachment in bytes (config `ATTACHMENT_MAX_BYTES`)."""
    return int(current_app.config.get("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024))


def max_files() -> int:
    """How many attachments one session may have (config `ATTACHMENT_MAX_FILES`)."""
    return int(current_app.config.get("ATTACHMENT_MAX_FILES", 5))


def storage_root() -> Path:
    """Directory holding every tenant's attachment folder (outside `app/static`)."""
    return Path(current_app.config.get("ATTACHMENT_DIR") or Path(current_app.instance_path) / "attachments")


def clean_name(filename: str) -> str:
    """The last path part of a browser-sent name, NFC-normalised (macOS sends decomposed kana), at
    most 255 characters (kept for display only)."""
    return unicodedata.normalize("NFC", PurePosixPath((filename or "").replace("\\", "/")).name.strip())[-255:]


def has_control_characters(name: str) -> bool:
    """True when `name` holds a control or format character (NUL, CR/LF, TAB, U+202E …): such a
    name cannot be stored in PostgreSQL text (NUL) or shown safely (a right-to-left override
    disguises `exe.pdf`)."""
    return any(unicodedata.category(c) in ("Cc", "Cf") for c in name)


def check_upload(upload: Upload) -> str:
    """The MIME type of `upload` when its size, extension and content are allowed.

    Raises `EngagementError` (Japanese, naming the file) for a name with control characters, an
    empty or too large file, an extension outside `ALLOWED`, or content whose magic bytes do not
    match the extension.
    """
    name = clean_name(upload.filename)
    if has_control_characters(name):
        raise EngagementError(_("ファイル名に使えない文字（制御文字）が含まれています。ファイル名を変えてから添付してください。"))
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise EngagementError(_("%(name)s：添付できるのは PDF・PNG・JPEG・Excel・Word・PowerPoint（.xlsx/.docx/.pptx）のファイルです。", name=name))
    if not upload.data:
        raise EngagementError(_("%(name)s：空のファイルは添付できません。", name=name))
    if len(upload.data) > max_bytes():
        raise EngagementError(_("%(name)s：1ファイルの上限（%(mb)dMB）を超えています。", name=name, mb=max_bytes() // (1024 * 1024)))
    kind = filetype.guess(upload.data)
    if kind is None or kind.mime != ALLOWED[ext]:
        raise EngagementError(_("%(name)s：ファイルの内容が拡張子（.%(ext)s）と一致しません。", name=name, ext=ext))
    return kind.mime


def path_of(attachment: SessionAttachment) -> Path:
    """Where the file of `attachment` is stored."""
    return storage_root() / str(attachment.tenant_id) / attachment.storage_token


def attach_files(session: SupportSession, uploads: list[Upload], *, actor) -> list[SessionAttachment]:
    """Check every upload (`check_upload`) and the per-session count, then store and record them.

    Nothing is written unless all pass. Raises `EngagementError`. Audit: `attachment.upload`.
    """
    if len(session.attachments) + len(uploads) > max_files():
        raise EngagementError(_("添付ファイルは1回の支援につき%(n)d件までです。", n=max_files()))
    types = [check_upload(u) for u in uploads]
    folder = storage_root() / str(session.tenant_id)
    folder.mkdir(parents=True, exist_ok=True)
    created = []
    for upload, mime in zip(uploads, types):
        attachment = SessionAttachment(tenant_id=session.tenant_id, session_id=session.id, original_name=clean_name(upload.filename),
                                       storage_token=secrets.token_hex(16), content_type=mime, size_bytes=len(upload.data),
                                       uploaded_by_id=getattr(actor, "id", None))
        (folder / attachment.storage_token).write_bytes(upload.data)
        session.attachments.append(attachment)
        created.append(attachment)
    db.session.flush()
    for attachment in created:
        record_audit("attachment.upload", tenant_id=session.tenant_id, actor=actor, target=attachment,
                     changes={"session_id": session.id, "size_bytes": attachment.size_bytes})
    return created


def record_download(attachment: SessionAttachment, *, actor) -> None:
    """Audit one download (`attachment.download`), written with the request's commit."""
    record_audit("attachment.download", tenant_id=attachment.tenant_id, actor=actor, target=attachment)
