"""How one audit event reads to a person: the changed fields as `(label, text)` pairs, the actor's
name, and the flat row written to the Excel export (the same words the 監査ログ page shows)."""
from __future__ import annotations

import json

from flask_babel import gettext as _

from app.audit.labels import action_label, field_label, role_label, target_label
from app.core.audit import AuditEvent
from app.core.wareki import format_datetime

MAX_VALUE_CHARS = 300


def _text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = _("はい") if value else _("いいえ")
    elif isinstance(value, int | float):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"


def describe_value(value) -> str:
    """One changed value as text: `[old, new]` → "old → new", other lists and dicts as compact JSON,
    None as "—"; at most 300 characters (then "…")."""
    if isinstance(value, list) and len(value) == 2 and all(v is None or isinstance(v, str | int | float) for v in value):
        return f"{_text(value[0])} → {_text(value[1])}"
    return _text(value)


def describe_changes(changes) -> list[tuple[str, str]]:
    """`AuditEvent.changes` as `(Japanese field label, text)` pairs in key order; a value that is not
    a dict (never written by `record_audit`, but possible in old rows) becomes one 「内容」 pair."""
    if not changes:
        return []
    if not isinstance(changes, dict):
        return [(_("内容"), _text(changes))]
    return [(field_label(str(key)), describe_value(value)) for key, value in sorted(changes.items(), key=lambda kv: str(kv[0]))]


def actor_name(event: AuditEvent, user) -> str:
    """Who acted: the user's display name, or 「システム」 for jobs, CLI and anonymous attempts."""
    if user is not None:
        return user.display_name
    return _("システム") if event.actor_id is None else _("ユーザーID %(id)d", id=event.actor_id)


def target_text(event: AuditEvent) -> str:
    """The target as 「申込 #12」, or "—" when the event has none."""
    if not event.target_type:
        return "—"
    suffix = f" #{event.target_id}" if event.target_id is not None else ""
    return f"{target_label(event.target_type)}{suffix}"


def export_row(event: AuditEvent, user) -> tuple:
    """The Excel row of one event, in `app.audit.exports.COLUMNS` order."""
    changes = "\n".join(f"{label}：{text}" for label, text in describe_changes(event.changes))
    return (format_datetime(event.at), event.at.strftime("%Y-%m-%d %H:%M:%S"), actor_name(event, user),
            user.email if user is not None else "", role_label(event.actor_role, user), action_label(event.action),
            event.action, target_text(event), changes, event.ip, event.request_id)
