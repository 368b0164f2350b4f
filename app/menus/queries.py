"""Read-side queries on menu proposals and the published menu (filtered by tenant by hand; the
ORM safety net scopes them again)."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.calls.models import Call
from app.calls.states import CallPhase
from app.core.pagination import Page, paginate
from app.extensions import db
from app.menus.models import MenuItem, MenuProposal
from app.menus.states import ProposalState
from app.reviews.models import Review
from app.tenancy.models import Organisation, OrganisationKind



def call_of(proposal: MenuProposal | MenuItem) -> Call:
    """The call a proposal or menu item belongs to (same tenant)."""
    return db.session.scalar(sa.select(Call).where(Call.tenant_id == proposal.tenant_id, Call.id == proposal.call_id))


def tenant_regions(tenant) -> list[str]:
    """The tenant's regions: distinct `Organisation.region` of its municipalities, in the order
    they first appear in the master data (Fukushima: 県北, 県中, 県南, 会津, 南会津, 相双, いわき)."""
    rows = db.session.scalars(
        sa.select(Organisation.region)
        .where(Organisation.tenant_id == tenant.id, Organisation.kind == OrganisationKind.MUNICIPALITY, Organisation.region != "")
        .order_by(Organisation.id)
    )
    return list(dict.fromkeys(rows))


def proposal_call(tenant) -> Call | None:
    """The newest call of `tenant` that accepts proposals now (phase PROPOSALS), or None."""
    return db.session.scalar(
        sa.select(Call)
        .where(Call.tenant_id == tenant.id, Call.phase == CallPhase.PROPOSALS)
        .order_by(Call.fiscal_year.desc())
        .limit(1)
    )


def proposals_of_provider(tenant, provider_id: int, *, page: int = 1) -> Page:
    """One page of a provider organisation's proposals across calls, newest first.

    Items are `(proposal, call fiscal year)` rows (core.pagination).
    """
    stmt = (
        sa.select(MenuProposal, Call.fiscal_year)
        .join(Call, Call.id == MenuProposal.call_id)
        .where(MenuProposal.tenant_id == tenant.id, MenuProposal.provider_id == provider_id)
        .order_by(MenuProposal.created_at.desc(), MenuProposal.id.desc())
    )
    return paginate(stmt, page, scalars=False)


@dataclass
class ProposalRow:
    """One line of the operator's proposal list: review count and average total score."""

    proposal: MenuProposal
    review_count: int
    average_total: float | None


def call_proposal_rows(tenant, call: Call, *, sort: str = "") -> list[ProposalRow]:
    """All non-draft proposals of `call` with their review count and average total (points).

    `sort`: "score" (average desc, unscored last), "provider" (provider name), otherwise
    submission order. One query (aggregates in a subquery, provider joined).
    """
    stats = (
        sa.select(Review.proposal_id, sa.func.count(Review.id).label("n"), sa.func.avg(Review.total).label("avg"))
        .where(Review.tenant_id == tenant.id)
        .group_by(Review.proposal_id)
        .subquery()
    )
    stmt = (
        sa.select(MenuProposal, sa.func.coalesce(stats.c.n, 0), stats.c.avg)
        .join(Organisation, Organisation.id == MenuProposal.provider_id)
        .outerjoin(stats, stats.c.proposal_id == MenuProposal.id)
        .where(MenuProposal.tenant_id == tenant.id, MenuProposal.call_id == call.id, MenuProposal.state != ProposalState.DRAFT)
    )
    order = {
        "score": (sa.nulls_last(stats.c.avg.desc()), MenuProposal.id),
        "provider": (Organisation.name, MenuProposal.id),
    }.get(sort, (MenuProposal.submitted_at, MenuProposal.id))
    rows = db.session.execute(stmt.order_by(*order))
    return [ProposalRow(p, int(n), float(avg) if avg is not None else None) for p, n, avg in rows]


def adopted_count(tenant, call: Call) -> int:
    """How many proposals of `call` are adopted (= items of its menu)."""
    return db.session.scalar(
        sa.select(sa.func.count(MenuItem.id)).where(MenuItem.tenant_id == tenant.id, MenuItem.call_id == call.id)
    ) or 0


def undecided_counts(tenant) -> list[tuple[Call, int]]:
    """`[(call, submitted proposals without decision)]` for calls in MENU_REVIEW (operator task)."""
    stmt = (
        sa.select(Call, sa.func.count(MenuProposal.id))
        .join(MenuProposal, MenuProposal.call_id == Call.id)
        .where(Call.tenant_id == tenant.id, Call.phase == CallPhase.MENU_REVIEW, MenuProposal.state == ProposalState.SUBMITTED)
        .group_by(Call.id)
        .order_by(Call.fiscal_year.desc())
    )
    return [(call, int(n)) for call, n in db.session.execute(stmt)]


def draft_count(tenant, provider_id: int) -> int:
    """Draft proposals of a provider in calls that accept proposals now (provider task)."""
    return db.session.scalar(
        sa.select(sa.func.count(MenuProposal.id))
        .join(Call, Call.id == MenuProposal.call_id)
        .where(MenuProposal.tenant_id == tenant.id, MenuProposal.provider_id == provider_id,
               MenuProposal.state == ProposalState.DRAFT, Call.phase == CallPhase.PROPOSALS)
    ) or 0


def published_menu(tenant, call: Call) -> list[MenuItem]:
    """The numbered items of `call`'s published menu, by number (empty when not published)."""
    if call is None or call.menu_published_at is None:
        return []
    return list(db.session.scalars(
        sa.select(MenuItem)
        .where(MenuItem.tenant_id == tenant.id, MenuItem.call_id == call.id, MenuItem.number.is_not(None))
        .order_by(MenuItem.number)
    ))


def published_calls(tenant) -> list[Call]:
    """Calls of `tenant` whose menu is published, newest fiscal year first."""
    return list(db.session.scalars(
        sa.select(Call).where(Call.tenant_id == tenant.id, Call.menu_published_at.is_not(None)).order_by(Call.fiscal_year.desc())
    ))


def published_item(tenant, item_id: int) -> MenuItem | None:
    """A numbered item of a published menu, or None (unpublished items are not public)."""
    return db.session.scalar(
        sa.select(MenuItem)
        .join(Call, Call.id == MenuItem.call_id)
        .where(MenuItem.tenant_id == tenant.id, MenuItem.id == item_id, MenuItem.number.is_not(None),
               Call.menu_published_at.is_not(None))
    )


def filter_menu(items: list[MenuItem], *, category: str = "", text: str = "") -> list[MenuItem]:
    """Items having category code `category` and containing `text` (case-insensitive) in the
    title, description, deliverables or provider name. Empty filters keep everything.

    Done in Python: a menu has tens of items and JSON containment differs between databases.
    """
    needle = text.strip().casefold()

    def matches(item: MenuItem) -> bool:
        if category and category not in (item.categories or []):
            return False
        haystack = " ".join((item.title, item.description, item.deliverables, item.provider.name)).casefold()
        return needle in haystack

    return [item for item in items if matches(item)]
