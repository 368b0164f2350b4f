"""Pagination of list pages: one `?page=` mechanism for every list (architecture.md, UI)."""
from __future__ import annotations

import math
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db

PER_PAGE = 50


@dataclass
class Page:
    """One page of a list: `items`, the 1-based `page`, the number of `pages` and the `total` rows."""

    items: list
    page: int
    pages: int
    total: int


def paginate(stmt, page: int, *, count_stmt=None, scalars: bool = True, per_page: int = PER_PAGE) -> Page:
    """Run `stmt` for page `page` (out-of-range pages are clamped to the first or last).

    `scalars`: items are the first column's objects (de-duplicated for joined eager loads);
    otherwise result rows. `count_stmt` replaces the default count over `stmt` when a cheaper
    one exists. Two queries: the count and the page.
    """
    if count_stmt is None:
        count_stmt = sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery())
    total = db.session.scalar(count_stmt) or 0
    pages = max(1, math.ceil(total / per_page))
    page = min(max(1, page or 1), pages)
    limited = stmt.limit(per_page).offset((page - 1) * per_page)
    result = db.session.scalars(limited).unique() if scalars else db.session.execute(limited)
    return Page(list(result), page, pages, total)
