"""Confirming and adjusting a selection under concurrency (issue 3 item 7): stale pages get a clear
conflict message; concurrent operators never create a double engagement or exceed a capacity."""
import threading

import pytest
import sqlalchemy as sa

from app.applications.services import create_application, submit_application
from app.auth.models import Role, User
from app.calls.states import CallPhase
from app.engagements.models import Engagement
from app.extensions import db
from app.selection.models import Allocation, Selection
from app.selection.services import SelectionError, adjust_allocation, confirm_selection, propose_selection
from app.tenancy.scoping import tenant_scope
from tests import factories
from tests.applications.builders import advance, call_with_menu
from tests.conftest import PG_URL, in_tenant, login

BASE = "/t/fukushima"
CODES = ("072010", "072028", "072036", "072044")


@pytest.fixture
def ids(app):
    """Items [cap 1], [cap 4] at 1000千円, budget 10,000; four municipalities choose item 0 then 1;
    the call is in 選定・決定 with a proposal."""
    with in_tenant(app) as tenant:
        operator = factories.user(tenant, Role.OPERATOR, "op@example.jp")
        call, menu = call_with_menu(tenant, budget=10_000, items=[(1, 1000), (4, 1000)])
        apps = []
        for code in CODES:
            a = create_application(call, factories.municipality(code), actor=None, choices=[menu[0], menu[1]], issue="課題")
            submit_application(a, actor=None)
            apps.append(a.id)
        advance(call, CallPhase.SELECTION)
        selection = propose_selection(call, actor=operator)
        db.session.commit()
        return {"call": call.id, "menu": [m.id for m in menu], "apps": apps, "selection": selection.id,
                "operator": operator.id, "tenant": tenant.id}


def _selection(app, ids) -> dict:
    with in_tenant(app):
        s = db.session.get(Selection, ids["selection"])
        allocations = {a.application_id: a for a in s.allocations}
        return {"version": s.version_id, "state": s.state, "allocations": {
            k: {"id": a.id, "version": a.version_id, "item": a.menu_item_id} for k, a in allocations.items()}}


def test_proposal_page_shows_what_if_coverage(client, ids, app):
    login(client, "op@example.jp")
    page = client.get(f"{BASE}/calls/{ids['call']}/selection").get_data(as_text=True)
    assert "確定した場合のカバー率（令和4年度〜令和6年度）" in page
    assert "0 / 59" in page and "4 / 59" in page  # four new municipalities of 59
    assert "確定後も期間内に支援のない市町村（55）" in page


def test_confirm_from_a_stale_page_is_a_conflict_and_changes_nothing(client, ids, app):
    login(client, "op@example.jp")
    seen = _selection(app, ids)
    allocation = seen["allocations"][ids["apps"][3]]
    # another operator changes a decision after the page was shown
    response = client.post(f"{BASE}/allocations/{allocation['id']}/adjust?version={allocation['version']}",
                           data={f"a{allocation['id']}-decision": ""})
    assert response.status_code == 302
    response = client.post(f"{BASE}/calls/{ids['call']}/selection/confirm?version={seen['version']}")
    assert response.status_code == 409
    assert "他の担当者が先に選定を変更しました" in response.get_data(as_text=True)
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count(Engagement.id))) == 0
    fresh = _selection(app, ids)
    assert client.post(f"{BASE}/calls/{ids['call']}/selection/confirm?version={fresh['version']}").status_code == 302
    response = client.post(f"{BASE}/calls/{ids['call']}/selection/confirm?version={fresh['version']}")
    assert response.status_code == 409 and "先にこの選定を確定しました" in response.get_data(as_text=True)
    page = client.get(f"{BASE}/calls/{ids['call']}/selection").get_data(as_text=True)
    assert "テスト利用者 が確定しました" in page  # who confirmed it (公正性, digest §10.4)


def test_adjust_from_a_stale_row_is_a_conflict(client, ids, app):
    login(client, "op@example.jp")
    allocation = _selection(app, ids)["allocations"][ids["apps"][3]]
    url = f"{BASE}/allocations/{allocation['id']}/adjust?version={allocation['version']}"
    assert client.post(url, data={f"a{allocation['id']}-decision": "", f"a{allocation['id']}-is_pinned": "y"}).status_code == 302
    response = client.post(url, data={f"a{allocation['id']}-decision": str(ids["menu"][1])})
    assert response.status_code == 409 and "画面を再読み込み" in response.get_data(as_text=True)
    assert _selection(app, ids)["allocations"][ids["apps"][3]]["item"] is None


def _race(app, ids, work) -> list:
    """Run `work(session_objects)` in two threads released together; returns their outcomes."""
    barrier, outcomes = threading.Barrier(2), []

    def run(index):
        with app.app_context(), tenant_scope(ids["tenant"]):
            actor = db.session.get(User, ids["operator"])
            barrier.wait()
            try:
                work(index, actor)
                db.session.commit()
                outcomes.append("ok")
            except Exception as exc:  # the loser's error is part of what is asserted
                db.session.rollback()
                outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


pg_only = pytest.mark.skipif(not PG_URL, reason="row locks and concurrent writers are a PostgreSQL matter")


@pg_only
def test_two_operators_confirming_at_once_create_each_engagement_once(app, ids):
    def confirm(_index, actor):
        confirm_selection(db.session.get(Selection, ids["selection"]), actor=actor)

    outcomes = _race(app, ids, confirm)
    assert sorted(outcomes) == ["SelectionError", "ok"]
    with in_tenant(app):
        engaged = db.session.scalars(sa.select(Engagement.application_id)).all()
        selected = db.session.scalar(sa.select(sa.func.count(Allocation.id)).where(Allocation.menu_item_id.is_not(None)))
    assert len(engaged) == len(set(engaged)) == selected == 4


@pg_only
def test_two_operators_giving_the_last_place_at_once_never_exceed_capacity(app, ids):
    with in_tenant(app):
        allocations = db.session.scalars(sa.select(Allocation).order_by(Allocation.id)).all()
        holder = next(a for a in allocations if a.menu_item_id == ids["menu"][0])
        others = [a.id for a in allocations if a.menu_item_id != ids["menu"][0]][:2]
        adjust_allocation(holder, actor=None, menu_item=holder.application.choices[1].menu_item, is_pinned=False,
                          is_excluded=False)  # item 0 (capacity 1) is free again
        db.session.commit()

    def take_item_0(index, actor):
        allocation = db.session.get(Allocation, others[index])
        adjust_allocation(allocation, actor=actor, menu_item=allocation.application.choices[0].menu_item,
                          is_pinned=False, is_excluded=False)

    outcomes = _race(app, ids, take_item_0)
    assert sorted(outcomes) == ["SelectionError", "ok"]
    with in_tenant(app):
        taken = db.session.scalar(sa.select(sa.func.count(Allocation.id)).where(Allocation.menu_item_id == ids["menu"][0]))
    assert taken == 1


def test_confirming_twice_in_a_row_is_refused_and_creates_nothing_more(app, ids):
    with in_tenant(app):
        selection = db.session.get(Selection, ids["selection"])
        assert len(confirm_selection(selection, actor=None)) == 4
        with pytest.raises(SelectionError, match="確定済み"):
            confirm_selection(selection, actor=None)
        assert db.session.scalar(sa.select(sa.func.count(Engagement.id))) == 4
