"""Optional per-tenant quotas on the sessions of one engagement (tenant.toml `[rules]`
`max_hours_per_engagement`, `max_sessions_per_engagement`; absent = no quota)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from app.engagements.models import Engagement, SupportSession
from app.extensions import db
from app.tenancy.models import Tenant


@dataclass(frozen=True)
class Usage:
    """Used amount and quota (None = no quota) of one measure, e.g. hours 4.5 of 10."""

    used: float
    quota: int | None

    @property
    def is_full(self) -> bool:
        """True when the quota is set and reached."""
        return self.quota is not None and self.used >= self.quota


def _tenant(engagement: Engagement) -> Tenant:
    return db.session.get(Tenant, engagement.tenant_id)


def quota_usage(engagement: Engagement) -> dict[str, Usage]:
    """`{"sessions": Usage(count, max), "hours": Usage(hours, max)}` for `engagement` (one query)."""
    count, minutes = db.session.execute(
        sa.select(sa.func.count(SupportSession.id), sa.func.coalesce(sa.func.sum(SupportSession.duration_minutes), 0))
        .where(SupportSession.engagement_id == engagement.id, SupportSession.tenant_id == engagement.tenant_id)
    ).one()
    tenant = _tenant(engagement)
    return {"sessions": Usage(count, tenant.rule("max_sessions_per_engagement")),
            "hours": Usage(minutes / 60, tenant.rule("max_hours_per_engagement"))}


def quota_problem(engagement: Engagement, adding_minutes: int) -> str | None:
    """Why one more session of `adding_minutes` would exceed a quota (Japanese message), or None.

    Locks the engagement row first (SELECT … FOR UPDATE on PostgreSQL) so that two simultaneous
    sessions cannot both pass the check (quality.md: quotas are never exceeded).
    """
    db.session.execute(sa.select(Engagement.id).where(Engagement.id == engagement.id).with_for_update())
    usage = quota_usage(engagement)
    sessions, hours = usage["sessions"], usage["hours"]
    if sessions.quota is not None and sessions.used + 1 > sessions.quota:
        return _("この案件の支援回数の上限（%(n)d回）に達しているため登録できません。", n=sessions.quota)
    if hours.quota is not None and hours.used + adding_minutes / 60 > hours.quota:
        return _("この案件の支援時間の上限（%(max)d時間、登録済み%(used)s時間）を超えるため登録できません。",
                 max=hours.quota, used=f"{hours.used:g}")
    return None
