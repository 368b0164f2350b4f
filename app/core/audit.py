"""Append-only audit trail and state history, written in the same transaction as the change.

`StateChange` is the history row every `transition_<noun>()` writes (who moved what from which state
to which, when, with what note). `AuditEvent` records security-relevant actions (logins, transitions,
assignments, exports). Neither is ever updated or deleted: database triggers refuse it (migration
o3_audit_append_only).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import g, has_request_context, request
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, TenantScoped, utcnow
from app.extensions import db


class StateChange(TenantScoped, Base):
    """One edge taken in a workflow: `workflow` names it ("application"), `object_id` the row."""

    __tablename__ = "state_changes"
    __table_args__ = (sa.Index("ix_state_changes_object", "workflow", "object_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workflow: Mapped[str] = mapped_column(sa.String(40))
    object_id: Mapped[int]
    from_state: Mapped[str | None] = mapped_column(sa.String(32))
    to_state: Mapped[str] = mapped_column(sa.String(32))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(sa.Text, default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """An audited action. `tenant_id` is null only for platform-level events."""

    __tablename__ = "audit_events"
    # The 監査ログ page lists one tenant's events newest first.
    __table_args__ = (sa.Index("ix_audit_events_tenant_at", "tenant_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int | None] = mapped_column(sa.ForeignKey("tenants.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    actor_role: Mapped[str] = mapped_column(sa.String(32), default="")
    action: Mapped[str] = mapped_column(sa.String(64), index=True)
    target_type: Mapped[str] = mapped_column(sa.String(40), default="")
    target_id: Mapped[int | None]
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    request_id: Mapped[str] = mapped_column(sa.String(64), default="")
    ip: Mapped[str] = mapped_column(sa.String(64), default="")
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


def record_audit(
    action: str,
    *,
    tenant_id: int | None,
    actor=None,
    target=None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session (flushed with the change, committed by the caller).

    `actor` is a `User` or None (system, CLI, jobs); `target` any model instance with an `id`.
    Request id and client IP are taken from the current request when there is one.
    """
    event = AuditEvent(
        tenant_id=tenant_id,
        actor_id=getattr(actor, "id", None),
        actor_role=str(getattr(actor, "role", "") or "system"),
        action=action,
        target_type=type(target).__tablename__ if target is not None else "",
        target_id=getattr(target, "id", None),
        changes=changes or {},
        request_id=getattr(g, "request_id", "") if has_request_context() else "",
        ip=(request.remote_addr or "") if has_request_context() else "",
    )
    db.session.add(event)
    return event


def record_transition(workflow: str, obj, from_state, to_state, *, actor, note: str = "") -> StateChange:
    """Write the history row and the audit event for one workflow edge (caller assigns the state)."""
    change = StateChange(
        tenant_id=obj.tenant_id,
        workflow=workflow,
        object_id=obj.id,
        from_state=str(from_state) if from_state is not None else None,
        to_state=str(to_state),
        actor_id=getattr(actor, "id", None),
        note=note or "",
    )
    db.session.add(change)
    record_audit(
        f"{workflow}.transition",
        tenant_id=obj.tenant_id,
        actor=actor,
        target=obj,
        changes={"state": [change.from_state, change.to_state], **({"note": note} if note else {})},
    )
    return change


def apply_transition(workflow: str, obj, to_state, *, actor, note: str = "", attr: str = "state"):
    """Set `obj.<attr>` to `to_state`, flush, and write the history row and audit event.

    The common tail of every `transition_<noun>()`: they check the edge and apply their own data
    rules first, then call this. Returns `obj`.
    """
    from_state = getattr(obj, attr)
    setattr(obj, attr, to_state)
    db.session.flush()
    record_transition(workflow, obj, from_state, to_state, actor=actor, note=note)
    return obj


def history_for(workflow: str, object_id: int) -> list[StateChange]:
    """The history rows of one object, oldest first (scoped by the active tenant)."""
    stmt = (
        sa.select(StateChange)
        .where(StateChange.workflow == workflow, StateChange.object_id == object_id)
        .order_by(StateChange.at, StateChange.id)
    )
    return list(db.session.scalars(stmt))
