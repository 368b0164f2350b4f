"""Edit conflicts shown as a page that shows the other edit (quality.md: concurrent edits are never lost).

An edit form carries the `version_id` it started from. Before changing the row, its service calls
`guard_version()`: the row is re-read under a row lock (SELECT … FOR UPDATE on PostgreSQL; SQLite
serialises writers itself), and when someone else saved in between and their content differs from
the user's input, `ConflictError` is raised. One handler (`register_conflict_handler`) answers 409
with, for each differing field, 「あなたの入力」 and 「保存されている内容（他の人の編集）」, who saved
it and when, and the user's input in a form that re-submits against the current version.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import lazyload
from flask import Flask, render_template, request
from flask_babel import gettext as _

from app.extensions import db

NOT_RESENT = {"csrf_token", "version_id"}  # the re-submit form sets these itself


@dataclass(frozen=True)
class Difference:
    """One field that differs: its label and both values as display text."""

    label: str
    mine: str
    theirs: str


@dataclass(frozen=True)
class LastSave:
    """Who saved the row last (display name, '' when unknown) and when (UTC)."""

    by: str
    at: dt.datetime | None


def display(value) -> str:
    """A value as display text: lists one item a line, booleans はい/いいえ, empty as 「（未入力）」."""
    if isinstance(value, (list, tuple, set)):
        value = "\n".join(str(v) for v in value)
    elif isinstance(value, bool):
        value = _("はい") if value else _("いいえ")
    text = "" if value is None else str(value).strip()
    return text or _("（未入力）")


def differences(mine: Mapping, theirs: Mapping, labels: Mapping) -> list[Difference]:
    """The fields of `mine` whose display text differs from `theirs`, in `labels` order."""
    keys = [k for k in labels if k in mine] + [k for k in mine if k not in labels]
    rows = [Difference(str(labels.get(k, k)), display(mine[k]), display(theirs.get(k))) for k in keys]
    return [row for row in rows if row.mine != row.theirs]


class ConflictError(Exception):
    """Someone else saved `obj` after the user opened the form, with different content.

    Carries plain data only (the handler rolls the session back before rendering): the target
    (table name, id, tenant), its current `version_id` and `updated_at`, and the `Difference`
    rows. `mine`/`theirs` map field names to values (display text is made by `display`);
    `labels` maps field names to their Japanese labels.
    """

    def __init__(self, obj, *, mine: Mapping, theirs: Mapping, labels: Mapping):
        super().__init__(f"edit conflict on {type(obj).__tablename__} {obj.id}")
        self.target_type = type(obj).__tablename__
        self.target_id = obj.id
        self.tenant_id = getattr(obj, "tenant_id", None)
        self.current_version = obj.version_id
        self.updated_at = getattr(obj, "updated_at", None)
        self.rows = differences(mine, theirs, labels)


def submitted_version(raw) -> int | None:
    """The `version_id` a form carried (a non-negative integer), or None when absent or malformed."""
    text = str(raw or "").strip()
    return int(text) if text.isdigit() and len(text) < 10 else None


def lock_current(obj) -> None:
    """Re-read `obj`'s row under a row lock (FOR UPDATE on PostgreSQL), discarding what the session
    held, so that a concurrent saver has either committed (and is seen) or waits for us."""
    model, row_id = type(obj), obj.id
    db.session.expire(obj)  # relationships reload on next use, after the lock
    stmt = (sa.select(model).where(model.id == row_id).options(lazyload("*")).with_for_update(of=model)
            .execution_options(populate_existing=True))
    db.session.execute(stmt).scalar_one()


def guard_version(obj, expected_version: int | None, *, mine: Mapping, theirs: Callable[[], Mapping],
                  labels: Mapping) -> None:
    """Refuse an edit that started from an older version of `obj` when it would overwrite another edit.

    `expected_version` is the `version_id` the form started from (None: no check, e.g. API or
    forms without a version field — `StaleDataError` still guards those). The row is locked and
    re-read first; when its version differs and `theirs()` (the stored values, same keys as `mine`)
    differs from `mine` in any field, raises `ConflictError`. An identical concurrent edit passes.
    Call it before changing `obj`: the re-read discards unsaved changes.
    """
    if expected_version is None:
        return
    lock_current(obj)
    if obj.version_id == expected_version:
        return
    current = theirs()
    if differences(mine, current, labels):
        raise ConflictError(obj, mine=mine, theirs=current, labels=labels)


def last_save(exc: ConflictError) -> LastSave:
    """Who saved the target last and when: its newest audit event with an actor in the same tenant,
    else `updated_at` with an unknown author."""
    from app.auth.models import User
    from app.core.audit import AuditEvent

    row = db.session.execute(
        sa.select(User.display_name, AuditEvent.at)
        .join(User, sa.and_(User.id == AuditEvent.actor_id, User.tenant_id == exc.tenant_id), isouter=True)
        .where(AuditEvent.tenant_id == exc.tenant_id, AuditEvent.target_type == exc.target_type,
               AuditEvent.target_id == exc.target_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(1)
    ).first()
    if row is None:
        return LastSave("", exc.updated_at)
    return LastSave(row.display_name or "", row.at)


def resubmit_fields() -> list[tuple[str, str]]:
    """The user's submitted form fields (name, value), multi-values kept, without token and version."""
    return [(name, value) for name, values in request.form.lists() if name not in NOT_RESENT for value in values]


def register_conflict_handler(app: Flask) -> None:
    """Answer `ConflictError` with the 409 conflict page (`errors/conflict.html`)."""

    @app.errorhandler(ConflictError)
    def _edit_conflict(exc: ConflictError):
        db.session.rollback()
        return render_template("errors/conflict.html", conflict=exc, last=last_save(exc), fields=resubmit_fields(),
                               action=request.path), 409
