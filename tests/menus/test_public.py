"""The public, numbered menu: no login, filters by fiscal year, category and text; unpublished
items stay hidden."""
from __future__ import annotations

import sqlalchemy as sa

from app.calls.services import transition_call
from app.calls.states import CallPhase
from app.extensions import db
from app.menus.models import MenuItem
from app.menus.services import decide_proposal, publish_menu
from tests import factories
from tests.conftest import in_tenant
from tests.menus.builders import call_in, proposal, published_call

T = "/t/fukushima"


def _published(app) -> None:
    with in_tenant(app) as t:
        published_call(t, titles=("ＲＰＡ実証確認", "情報セキュリティポリシー見直し"), fiscal_year=2023)
        call = call_in(t, CallPhase.PROPOSALS, fiscal_year=2024)
        company = factories.provider(t, "ふくしまICT株式会社")
        items = [
            proposal(call, company, title="職員のITリテラシー見える化･向上支援", categories=["HR-DEV"]),
            proposal(call, company, title="情報セキュリティ対策支援", categories=["SEC", "INFRA"], description="UTM導入の助言"),
            proposal(call, company, title="ＩＣＴに関する悩みごと相談", categories=["CONSULT"]),
        ]
        transition_call(call, CallPhase.MENU_REVIEW, actor=None)
        for item in items:
            decide_proposal(item, actor=None, adopt=True, reason="")
        publish_menu(call, actor=None)
        db.session.commit()


def test_empty_state_when_nothing_is_published(app, client):
    with in_tenant(app) as t:
        call_in(t, CallPhase.MENU_REVIEW)
        db.session.commit()
    page = client.get(f"{T}/menu")
    assert page.status_code == 200
    assert "公開されている支援メニューはまだありません。" in page.get_data(as_text=True)


def test_default_is_the_newest_published_menu_with_numbers(client, app):
    _published(app)
    page = client.get(f"{T}/menu").get_data(as_text=True)
    assert "令和6年度 支援メニュー（3項目）" in page
    rows = page[page.index("<tbody>"):]
    assert rows.index("職員のITリテラシー") < rows.index("情報セキュリティ対策支援") < rows.index("ＩＣＴに関する悩みごと相談")
    assert "ＲＰＡ実証確認" not in page and "ふくしまICT株式会社" in page


def test_fiscal_year_filter(client, app):
    _published(app)
    page = client.get(f"{T}/menu?fiscal_year=2023").get_data(as_text=True)
    assert "令和5年度 支援メニュー（2項目）" in page and "ＲＰＡ実証確認" in page
    missing = client.get(f"{T}/menu?fiscal_year=2019").get_data(as_text=True)
    assert "指定された年度の支援メニューは公開されていません。" in missing
    assert client.get(f"{T}/menu?fiscal_year=abc").status_code == 200


def test_category_and_text_filters(client, app):
    _published(app)
    by_category = client.get(f"{T}/menu?category=SEC").get_data(as_text=True)
    assert "情報セキュリティ対策支援" in by_category and "ＩＣＴに関する悩みごと相談" not in by_category
    assert "3項目中 1項目を表示しています。" in by_category
    by_text = client.get(f"{T}/menu?q=utm").get_data(as_text=True)
    assert "情報セキュリティ対策支援" in by_text and "職員のITリテラシー" not in by_text
    none = client.get(f"{T}/menu?category=AI").get_data(as_text=True)
    assert "条件に合う支援メニューはありません。" in none


def test_item_detail_only_for_published_items(client, app):
    _published(app)
    with in_tenant(app) as t:
        item = db.session.scalar(sa.select(MenuItem).where(MenuItem.title == "情報セキュリティ対策支援"))
        review_call = call_in(t, CallPhase.PROPOSALS, fiscal_year=2025)
        pending = proposal(review_call, factories.provider(t), title="未公開の項目")
        transition_call(review_call, CallPhase.MENU_REVIEW, actor=None)
        unpublished = decide_proposal(pending, actor=None, adopt=True, reason="")
        db.session.commit()
        item_id, unpublished_id = item.id, unpublished.id
    page = client.get(f"{T}/menu/{item_id}").get_data(as_text=True)
    assert "UTM導入の助言" in page and "ふくしまICT株式会社" in page and "No.2" in page and "全域" in page
    assert client.get(f"{T}/menu/{unpublished_id}").status_code == 404
    assert client.get(f"{T}/menu/999999").status_code == 404
    assert "未公開の項目" not in client.get(f"{T}/menu").get_data(as_text=True)
