"""Read side of stored questionnaire versions, cached on `g` for the request (or app context).

Kept free of the survey and needs domains (they import it): it hands out `(version, definition)`
and never parses. Writers call `forget(tenant_id)` after adding a version.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from flask import g

from app.extensions import db
from app.questionnaires.models import Questionnaire, QuestionnaireKind

SURVEY = QuestionnaireKind.SURVEY
NEEDS = QuestionnaireKind.NEEDS
_CURRENT = "_questionnaire_current"
_VERSIONS = "_questionnaire_versions"


@dataclass(frozen=True)
class Stored:
    """A stored version: its number and definition (a dict; do not mutate)."""

    version: int
    definition: dict


def current(tenant_id: int, kind: QuestionnaireKind) -> Stored | None:
    """The highest version of the tenant's questionnaire of `kind`, or None when it has none.
    One query per tenant and kind per request (cached on `g`)."""
    cache = g.setdefault(_CURRENT, {})
    key = (tenant_id, kind)
    if key not in cache:
        row = db.session.execute(sa.select(Questionnaire.version, Questionnaire.definition).where(
            Questionnaire.tenant_id == tenant_id, Questionnaire.kind == kind)
            .order_by(Questionnaire.version.desc()).limit(1)).first()
        cache[key] = None if row is None else Stored(row.version, row.definition)
        if row is not None:
            g.setdefault(_VERSIONS, {})[(tenant_id, kind, row.version)] = cache[key]
    return cache[key]


def versions(tenant_id: int, kind: QuestionnaireKind, numbers: Iterable[int]) -> dict[int, Stored]:
    """`{version: Stored}` for the requested version numbers that exist; one query for those not
    already loaded in this request."""
    cache = g.setdefault(_VERSIONS, {})
    wanted = {n for n in numbers if isinstance(n, int)}
    missing = [n for n in wanted if (tenant_id, kind, n) not in cache]
    if missing:
        for row in db.session.execute(sa.select(Questionnaire.version, Questionnaire.definition).where(
                Questionnaire.tenant_id == tenant_id, Questionnaire.kind == kind, Questionnaire.version.in_(missing))):
            cache[(tenant_id, kind, row.version)] = Stored(row.version, row.definition)
        for n in missing:
            cache.setdefault((tenant_id, kind, n), None)
    return {n: cache[(tenant_id, kind, n)] for n in wanted if cache[(tenant_id, kind, n)] is not None}


def history(tenant_id: int, kind: QuestionnaireKind, limit: int = 20) -> list[tuple[int, object, str]]:
    """The newest `limit` versions of the tenant's questionnaire of `kind` as `(version,
    created_at, author display name or "")`, newest first (for the editor; one query)."""
    from app.auth.models import User

    rows = db.session.execute(sa.select(Questionnaire.version, Questionnaire.created_at, User.display_name)
                              .outerjoin(User, User.id == Questionnaire.created_by_id)
                              .where(Questionnaire.tenant_id == tenant_id, Questionnaire.kind == kind)
                              .order_by(Questionnaire.version.desc()).limit(limit))
    return [(r.version, r.created_at, r.display_name or "") for r in rows]


def forget(tenant_id: int) -> None:
    """Drop the cached versions of `tenant_id` (after a version was added)."""
    for name in (_CURRENT, _VERSIONS):
        cache = g.get(name) or {}
        for key in [k for k in cache if k[0] == tenant_id]:
            del cache[key]
