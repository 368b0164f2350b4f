"""Excel out of the menu lists: a call's proposals with review figures (operator, ?sort=), the
provider's own proposals, and the published menu (public, ?fiscal_year= ?category= ?q=)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.auth.models import Role
from app.exports.registry import Column, ExportContext, anyone, list_export, paged_export, roles
from app.menus.queries import call_proposal_rows, filter_menu, proposals_of_provider, published_calls, published_menu
from app.tenancy.labels import lazy_label


def _categories(tenant, codes) -> str:
    return "、".join(tenant.category_label(c) for c in codes or [])


def _regions(regions) -> str:
    return "、".join(regions) if regions else "全域"


PROPOSAL_COLUMNS = [Column(_l("提案ID"), 8), Column(_l("件名"), 36), Column(lazy_label("%(provider)s"), 28), Column(_l("状態"), 10),
                    Column(_l("提供形態"), 12), Column(_l("対応地域"), 20), Column(_l("受入可能数"), 10),
                    Column(_l("単価（千円）"), 10), Column(_l("審査件数"), 8), Column(_l("平均点"), 8),
                    Column(_l("採否の理由"), 40), Column(_l("提出日時"), 18)]


def _proposal_row(row) -> tuple:
    p = row.proposal
    return (p.id, p.title, p.provider.name, p.state, p.format, _regions(p.regions_served), p.capacity,
            p.unit_cost_thousand_yen, row.review_count, row.average_total, p.decision_reason, p.submitted_at)


def _call_proposals(ctx: ExportContext) -> list:
    return call_proposal_rows(ctx.tenant, ctx.call(), sort=ctx.params.get("sort", ""))


CALL_PROPOSALS = list_export("call_proposals", _l("支援メニュー提案一覧"), PROPOSAL_COLUMNS, _call_proposals, _proposal_row,
                             roles(Role.OPERATOR))

OWN_COLUMNS = [Column(_l("年度"), 8), Column(_l("件名"), 36), Column(_l("状態"), 10), Column(_l("提供形態"), 12),
               Column(_l("受入可能数"), 10), Column(_l("単価（千円）"), 10), Column(_l("採否の理由"), 40),
               Column(_l("提出日時"), 18)]


def _own_row(row) -> tuple:
    p, fiscal_year = row
    return (fiscal_year, p.title, p.state, p.format, p.capacity, p.unit_cost_thousand_yen, p.decision_reason, p.submitted_at)


MY_PROPOSALS = paged_export("my_proposals", _l("自社の支援メニュー提案"), OWN_COLUMNS,
                            lambda ctx, n: proposals_of_provider(ctx.tenant, ctx.user.organisation_id, page=n),
                            _own_row, roles(Role.PROVIDER))

MENU_COLUMNS = [Column(_l("年度"), 8), Column(_l("番号"), 6), Column(_l("支援メニュー"), 36), Column(lazy_label("%(provider)s"), 28),
                Column(_l("分類"), 30), Column(_l("提供形態"), 12), Column(_l("対応地域"), 20),
                Column(_l("受入可能数"), 10), Column(_l("内容"), 60), Column(_l("成果物"), 40)]


def _published(ctx: ExportContext) -> list:
    calls = published_calls(ctx.tenant)
    year = ctx.int_param("fiscal_year")
    call = next((c for c in calls if c.fiscal_year == year), None) if year else (calls[0] if calls else None)
    items = filter_menu(published_menu(ctx.tenant, call), category=ctx.params.get("category", ""),
                        text=ctx.params.get("q", "")[:100])
    return [(call.fiscal_year, item, _categories(ctx.tenant, item.categories)) for item in items]


def _menu_row(row) -> tuple:
    fiscal_year, i, categories = row
    return (fiscal_year, i.number, i.title, i.provider.name, categories, i.format, _regions(i.regions_served),
            i.capacity, i.description, i.deliverables)


PUBLIC_MENU = list_export("menu", _l("支援メニュー"), MENU_COLUMNS, _published, _menu_row, anyone)
