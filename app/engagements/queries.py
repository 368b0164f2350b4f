"""Read-side queries on engagements: the role-filtered list with session aggregates, and the
counts behind the home page tasks. Every query filters by tenant by hand (the boundary)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.auth.models import Role
from app.core.clock import today_jst
from app.core.pagination import Page, paginate
from app.engagements.models import CompletionReport, Engagement, SupportSession
from app.engagements.states import EngagementState, ReportState
from app.engagements.overdue import report_missing, report_overdue_clause, stale_clause
from app.extensions import db
from app.tenancy.models import Organisation, OrganisationKind


@dataclass
class EngagementRow:
    """One line of the engagement list: the engagement plus its session aggregates."""

    engagement: Engagement
    sessions_count: int
    last_held_on: dt.date | None
    is_stale: bool = False


def visible_to(user, tenant) -> sa.ColumnElement[bool]:
    """WHERE clause: the engagements `user` may see (operator all; provider/municipal their own)."""
    clause = Engagement.tenant_id == tenant.id
    if user.role == Role.PROVIDER:
        return sa.and_(clause, Engagement.provider_id == user.organisation_id)
    if user.role == Role.MUNICIPAL:
        return sa.and_(clause, Engagement.municipality_id == user.organisation_id)
    return clause if user.role == Role.OPERATOR else sa.false()


def _session_stats(tenant):
    return (
        sa.select(SupportSession.engagement_id, sa.func.count(SupportSession.id).label("n"),
                  sa.func.max(SupportSession.held_on).label("last"))
        .where(SupportSession.tenant_id == tenant.id)
        .group_by(SupportSession.engagement_id)
        .subquery()
    )


def engagement_page(user, tenant, *, fiscal_year: int | None = None, state: EngagementState | None = None,
                    provider_id: int | None = None, stale_only: bool = False, today: dt.date | None = None,
                    page: int = 1) -> Page:
    """The engagements `user` may see, newest fiscal year first, then by 全国地方公共団体コード.

    Filters are optional; `stale_only` keeps 滞留 engagements on `today` (JST, `overdue.py`);
    `page` is 1-based (core.pagination). One query for the rows (session count, last session
    date and the 滞留 flag computed in SQL) and one for the total.
    """
    stale = stale_clause(tenant, today or today_jst())
    conditions = [visible_to(user, tenant)]
    if stale_only:
        conditions.append(stale)
    if fiscal_year is not None:
        conditions.append(Engagement.fiscal_year == fiscal_year)
    if state is not None:
        conditions.append(Engagement.state == state)
    if provider_id is not None:
        conditions.append(Engagement.provider_id == provider_id)
    stats, muni = _session_stats(tenant), aliased(Organisation)
    stmt = (
        sa.select(Engagement, sa.func.coalesce(stats.c.n, 0), stats.c.last, stale)
        .join(muni, muni.id == Engagement.municipality_id)
        .outerjoin(stats, stats.c.engagement_id == Engagement.id)
        .where(*conditions)
        .order_by(Engagement.fiscal_year.desc(), muni.lg_code, Engagement.id)
    )
    count = sa.select(sa.func.count(Engagement.id)).where(*conditions)
    result = paginate(stmt, page, count_stmt=count, scalars=False)
    result.items = [EngagementRow(e, n, last, bool(is_stale)) for e, n, last, is_stale in result.items]
    return result


def engagement_fiscal_years(user, tenant) -> list[int]:
    """Fiscal years in which `user` has visible engagements, newest first (filter choices)."""
    stmt = sa.select(Engagement.fiscal_year).where(visible_to(user, tenant)).distinct().order_by(Engagement.fiscal_year.desc())
    return list(db.session.scalars(stmt))


def providers_of(tenant) -> list[Organisation]:
    """Provider organisations of `tenant` by name (filter choices)."""
    return list(db.session.scalars(sa.select(Organisation).where(
        Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.PROVIDER).order_by(Organisation.name)))


def count_engagements(user, tenant, *states: EngagementState) -> int:
    """How many engagements visible to `user` are in one of `states`."""
    return db.session.scalar(sa.select(sa.func.count(Engagement.id)).where(
        visible_to(user, tenant), Engagement.state.in_(states))) or 0


def count_stale(user, tenant, today: dt.date) -> int:
    """滞留 engagements visible to `user` on `today` (JST): see `overdue.stale_clause`."""
    return db.session.scalar(sa.select(sa.func.count(Engagement.id)).where(
        visible_to(user, tenant), stale_clause(tenant, today))) or 0


def count_reports_due(user, tenant) -> int:
    """COMPLETED engagements visible to `user` with no 実績報告 yet, or a RETURNED one."""
    return db.session.scalar(sa.select(sa.func.count(Engagement.id)).where(
        visible_to(user, tenant), report_missing())) or 0


def count_reports_overdue(user, tenant, today: dt.date) -> int:
    """Engagements visible to `user` whose 実績報告 is past its due date on `today` (JST)."""
    return db.session.scalar(sa.select(sa.func.count(Engagement.id)).where(
        visible_to(user, tenant), report_overdue_clause(tenant, today))) or 0


def count_kickoffs_to_agree(user, tenant) -> int:
    """ACCEPTED engagements visible to `user` whose kickoff the provider has drafted (to agree)."""
    return db.session.scalar(sa.select(sa.func.count(Engagement.id)).where(
        visible_to(user, tenant), Engagement.state == EngagementState.ACCEPTED,
        Engagement.kickoff_drafted_at.is_not(None))) or 0


def count_reports_to_review(tenant) -> int:
    """Completion reports SUBMITTED and waiting for the operator's decision."""
    return db.session.scalar(sa.select(sa.func.count(CompletionReport.id)).where(
        CompletionReport.tenant_id == tenant.id, CompletionReport.state == ReportState.SUBMITTED)) or 0


def count_sessions_to_confirm(user, tenant) -> int:
    """Sessions of engagements visible to `user` that the municipality has not confirmed yet."""
    stmt = (
        sa.select(sa.func.count(SupportSession.id))
        .join(Engagement, Engagement.id == SupportSession.engagement_id)
        .where(visible_to(user, tenant), SupportSession.confirmed_at.is_(None))
    )
    return db.session.scalar(stmt) or 0
