"""The selection sheet (審査表) of a call as .xlsx (issue 3 item 6): one sheet for application
reviews (申込審査, with the selection's decision and reason when a selection exists) and one for
menu proposal reviews (メニュー提案審査). Every cell goes through `app.core.excel`. The table of the
review results page (one kind) is also the registered list export `reviews`."""
from __future__ import annotations

import sqlalchemy as sa
from openpyxl import Workbook

from flask_babel import lazy_gettext as _l

from app.auth.models import Role
from app.calls.models import Call
from app.core.excel import new_workbook, write_sheet
from app.exports.registry import Column, ExportContext, ListExport, register, roles
from app.extensions import db
from app.reviews.queries import ItemResult, item_results
from app.reviews.rubric import rubric_for
from app.reviews.states import ReviewTarget
from app.tenancy.labels import provider_label

SPREAD_HEADERS = ["平均点", "最低点", "最高点", "標準偏差", "審査件数"]


def _reviewer_names(results: list[ItemResult]) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for result in results:
        for review, name in result.reviews:
            seen.setdefault(review.reviewer_id, name)
    return sorted(seen.items())


def _justification_text(review, labels: dict[str, tuple[str, int]]) -> str:
    lines = []
    for key, points in review.scores.items():
        label, maximum = labels.get(key, (key, 0))
        lines.append(f"{label}（{points}/{maximum}）：{review.justifications.get(key, '')}")
    if review.comment:
        lines.append(f"講評：{review.comment}")
    return "\n".join(lines)


def _review_cells(result: ItemResult, reviewers: list[tuple[int, str]], labels) -> list:
    by_reviewer = {review.reviewer_id: review for review, _name in result.reviews}
    cells = []
    for reviewer_id, _name in reviewers:
        review = by_reviewer.get(reviewer_id)
        cells += [review.weighted_score, _justification_text(review, labels)] if review else ["", ""]
    return cells + [result.average, result.minimum, result.maximum, result.stdev, result.count]


def _reviewer_headers(reviewers: list[tuple[int, str]]) -> list[str]:
    return [h for _id, name in reviewers for h in (f"{name} 評価点（100点換算）", f"{name} 評価理由")]


def _labels(call: Call, target: ReviewTarget) -> dict[str, tuple[str, int]]:
    return {c.key: (c.label, c.max) for c in rubric_for(call, target)}


def _allocations(call: Call) -> dict[int, object]:
    """`{application_id: Allocation}` of the call's selection (read only), empty without one."""
    from app.selection.models import Allocation, Selection

    stmt = (sa.select(Allocation).join(Selection, Selection.id == Allocation.selection_id)
            .where(Allocation.tenant_id == call.tenant_id, Selection.call_id == call.id))
    return {a.application_id: a for a in db.session.scalars(stmt).unique()}


def _decision(allocation) -> tuple[str, str]:
    if allocation is None:
        return "", ""
    item = getattr(allocation, "menu_item", None)
    if item is None:
        return "非選定", allocation.reason
    number = f"No.{item.number} " if item.number else ""
    return f"選定：{number}{item.title}（{item.provider.name}）", allocation.reason


def _choices_text(application) -> str:
    return "\n".join(f"第{c.rank}希望：{c.menu_item.title}（{c.menu_item.provider.name}）" for c in application.choices)


def _application_table(call: Call) -> tuple[list[str], list[int], list[list]]:
    results = item_results(call, ReviewTarget.APPLICATION)
    reviewers, labels, allocations = _reviewer_names(results), _labels(call, ReviewTarget.APPLICATION), _allocations(call)
    headers = ["申込ID", "市町村", "状態", "希望する支援メニュー", *_reviewer_headers(reviewers), *SPREAD_HEADERS,
               "選定結果", "選定理由"]
    rows = []
    for result in results:
        application = result.item
        rows.append([application.id, application.municipality.name, application.state.label, _choices_text(application),
                     *_review_cells(result, reviewers, labels), *_decision(allocations.get(application.id))])
    widths = [8, 14, 8, 40, *[w for _r in reviewers for w in (12, 50)], 8, 8, 8, 8, 8, 40, 50]
    return headers, widths, rows


def _proposal_table(call: Call) -> tuple[list[str], list[int], list[list]]:
    results = item_results(call, ReviewTarget.PROPOSAL)
    reviewers, labels = _reviewer_names(results), _labels(call, ReviewTarget.PROPOSAL)
    headers = ["提案ID", "件名", provider_label(), "状態", *_reviewer_headers(reviewers), *SPREAD_HEADERS, "採否の理由"]
    rows = [[p.item.id, p.item.title, p.item.provider.name, p.item.state.label, *_review_cells(p, reviewers, labels),
             p.item.decision_reason] for p in results]
    widths = [8, 36, 24, 8, *[w for _r in reviewers for w in (12, 50)], 8, 8, 8, 8, 8, 40]
    return headers, widths, rows


TABLES = {ReviewTarget.APPLICATION: _application_table, ReviewTarget.PROPOSAL: _proposal_table}


def review_workbook(call: Call) -> Workbook:
    """The 審査表 of `call`: sheets 申込審査 and メニュー提案審査 (scores are weighted, 0..100;
    spread = min, max and population standard deviation)."""
    workbook = new_workbook()
    for target, sheet in ((ReviewTarget.APPLICATION, "申込審査"), (ReviewTarget.PROPOSAL, "メニュー提案審査")):
        headers, widths, rows = TABLES[target](call)
        write_sheet(workbook.create_sheet(sheet), headers, rows, widths)
    return workbook


def _table(ctx: ExportContext):
    """The table of the review results page: `?call_id=` and `?kind=` (default メニュー提案審査)."""
    target = ctx.enum_param("kind", ReviewTarget) or ReviewTarget.PROPOSAL
    return ctx.memo("reviews", lambda: TABLES[target](ctx.call()))


REVIEWS = register(ListExport(
    "reviews", _l("審査結果"),
    columns=lambda ctx: [Column(h, w) for h, w in zip(*_table(ctx)[:2], strict=True)],
    rows=lambda ctx: _table(ctx)[2], count=lambda ctx: len(_table(ctx)[2]), allowed=roles(Role.OPERATOR)))
