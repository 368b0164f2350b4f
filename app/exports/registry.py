"""The registry of list exports: each domain's `exports.py` declares, for every list page, a
`ListExport` (stable name, Japanese title, columns, a row generator using the page's own query
with the same filters, a row count and who may export it) and `register`s it.

Row generators receive an `ExportContext` (tenant, user, the list page's query string) and yield
tuples of plain values. They must not hold a database cursor open across a `yield` (the job
runner commits its progress between rows): page through the list with `paged_rows`, which turns
a whole page into tuples before yielding any of them.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import sqlalchemy as sa

from app.core.pagination import Page
from app.core.web import ID_ARG

DOMAIN_MODULES = (
    "app.calls.exports", "app.menus.exports", "app.reviews.exports", "app.applications.exports",
    "app.selection.exports", "app.decisions.exports", "app.relationships.exports", "app.engagements.exports",
    "app.surveys.exports", "app.cases.exports", "app.coverage.exports", "app.audit.exports",
)


class ExportNotFound(Exception):
    """The list (or the call it belongs to) does not exist for this user: the view answers 404."""


@dataclass(frozen=True)
class Column:
    """One column: its Japanese `header` and width in characters (full-width counts 2)."""

    header: str
    width: int = 14


@dataclass
class ExportContext:
    """What a row generator knows: the tenant, the requesting user and the list page's query
    string as `{name: value}` (strings; `page` removed)."""

    tenant: object
    user: object
    params: dict[str, str] = field(default_factory=dict)
    cache: dict = field(default_factory=dict, repr=False)

    def memo(self, key: str, compute: Callable[[], object]):
        """`compute()` once per context (a table needed for columns, count and rows alike)."""
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def int_param(self, name: str) -> int | None:
        """The query parameter `name` as an int, or None when missing, not a number or beyond an
        INTEGER column's range (`app.core.web.ID_ARG`)."""
        try:
            return ID_ARG(self.params.get(name, ""))
        except ValueError:
            return None

    def enum_param(self, name: str, enum_cls):
        """The query parameter `name` as a member of `enum_cls`, or None when not one."""
        value = self.params.get(name, "")
        return enum_cls(value) if value in {m.value for m in enum_cls} else None

    def call(self):
        """The call named by `call_id` in the tenant; raises `ExportNotFound` when there is none."""
        from app.calls.models import Call
        from app.extensions import db

        call_id = self.int_param("call_id")
        call = db.session.scalar(sa.select(Call).where(Call.id == call_id, Call.tenant_id == self.tenant.id)) if call_id else None
        if call is None:
            raise ExportNotFound(f"call {self.params.get('call_id')!r}")
        return call


@dataclass(frozen=True)
class ListExport:
    """One exportable list. `columns` is a list or, when it depends on the data (one column per
    reviewer, per fiscal year), `columns(ctx)`; `rows(ctx)` yields tuples in column order;
    `count(ctx)` is the number of rows `rows` will yield (decides direct download vs job);
    `allowed(user)` is the role check of the list page (scoping is done by the query itself)."""

    name: str
    title: str
    columns: Sequence[Column] | Callable[[ExportContext], Sequence[Column]]
    rows: Callable[[ExportContext], Iterable[Sequence]]
    count: Callable[[ExportContext], int]
    allowed: Callable[[object], bool]

    def columns_for(self, ctx: ExportContext) -> list[Column]:
        """The columns of this export for `ctx`."""
        return list(self.columns(ctx) if callable(self.columns) else self.columns)

    @property
    def label(self) -> str:
        """The title in the current locale (titles may be lazy strings)."""
        return str(self.title)


REGISTRY: dict[str, ListExport] = {}


def register(export: ListExport) -> ListExport:
    """Add `export` to the registry under its name (a duplicate name is a programming error)."""
    if export.name in REGISTRY and REGISTRY[export.name] is not export:
        raise ValueError(f"export {export.name!r} registered twice")
    REGISTRY[export.name] = export
    return export


def load_all() -> dict[str, ListExport]:
    """Import every domain's `exports.py` (they register themselves) and return the registry."""
    for module in DOMAIN_MODULES:
        importlib.import_module(module)
    return REGISTRY


def get_export(name: str) -> ListExport:
    """The registered export `name`; raises `ExportNotFound` for an unknown name."""
    load_all()
    if name not in REGISTRY:
        raise ExportNotFound(name)
    return REGISTRY[name]


def paged_rows(fetch: Callable[[int], Page], to_row: Callable[[object], Sequence]) -> Iterator[tuple]:
    """Every item of a paginated list query, page by page, as tuples: `fetch(page)` is the list
    page's own query (same filters, same order); a whole page is converted before its rows are
    yielded, so no cursor is open across a `yield`."""
    number, pages = 1, 1
    while number <= pages:
        page = fetch(number)
        pages = page.pages
        rows = [tuple(to_row(item)) for item in page.items]
        yield from rows
        number += 1


EXPORT_PAGE_SIZE = 500


def roles(*allowed_roles) -> Callable[[object], bool]:
    """Predicate: a member user whose role is one of `allowed_roles` (None = anonymous: False)."""
    return lambda user: user is not None and user.role in allowed_roles


def anyone(user) -> bool:
    """Predicate of public lists: everyone, anonymous visitors included."""
    return True


def statement_page(stmt, number: int, *, scalars: bool = True) -> Page:
    """Page `number` of `stmt` in export-sized pages (500 rows): the list page's own select."""
    from app.core.pagination import paginate

    return paginate(stmt, number, scalars=scalars, per_page=EXPORT_PAGE_SIZE)


def list_export(name: str, title: str, columns, load: Callable[[ExportContext], list], to_row: Callable,
                allowed: Callable[[object], bool]) -> ListExport:
    """Register the export of a short, unpaginated list page: `load(ctx)` is the page's query
    (a list), `to_row(item)` one row."""
    return register(ListExport(name, title, columns, rows=lambda ctx: [tuple(to_row(i)) for i in load(ctx)],
                               count=lambda ctx: len(load(ctx)), allowed=allowed))


def paged_export(name: str, title: str, columns, fetch: Callable[[ExportContext, int], Page], to_row: Callable,
                 allowed: Callable[[object], bool]) -> ListExport:
    """Register the export of a paginated list page: `fetch(ctx, number)` is the page's query
    with the page's filters, `to_row(item)` one row; rows are read page by page (`paged_rows`)."""
    return register(ListExport(name, title, columns, rows=lambda ctx: paged_rows(lambda n: fetch(ctx, n), to_row),
                               count=lambda ctx: fetch(ctx, 1).total, allowed=allowed))
