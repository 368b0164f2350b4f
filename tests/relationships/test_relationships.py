"""Provider–municipality relationships (利害関係): declared, listed, blocking assignments."""
import pytest

from app.extensions import db
from app.relationships.services import (
    RelationshipError,
    blocked_items,
    declare_relationship,
    relationship_problem,
    withdraw_relationship,
)
from app.relationships.states import RelationshipKind
from tests import factories
from tests.conftest import in_tenant, login
from tests.decisions.builders import CODES, PROVIDER, build, users

BASE = "/t/fukushima"


def test_blocked_items_and_relationship_problem(app):
    with in_tenant(app) as tenant:
        w = build(tenant, confirm=False)
        provider = factories.provider(tenant, PROVIDER)
        shirakawa = factories.municipality(CODES["shirakawa"])
        assert blocked_items(tenant, w.call) == {}
        row = declare_relationship(tenant, provider=provider, municipality=shirakawa, kind=RelationshipKind.INCUMBENT_VENDOR,
                                   reason="現行の基幹系システムを受託", actor=None)
        assert blocked_items(tenant, w.call) == {shirakawa.id: frozenset({w.items["A"].id, w.items["B"].id})}
        message = relationship_problem(w.apps["shirakawa"], w.items["A"])
        assert "利害関係（現行システムの受託事業者）" in message and "白河市" in message
        assert relationship_problem(w.apps["fukushima"], w.items["A"]) is None
        with pytest.raises(RelationshipError, match="既に申告"):
            declare_relationship(tenant, provider=provider, municipality=shirakawa, kind="other", reason="重複", actor=None)
        withdraw_relationship(row, actor=None)
        assert blocked_items(tenant, w.call) == {} and relationship_problem(w.apps["shirakawa"], w.items["A"]) is None
        with pytest.raises(RelationshipError, match="取り下げ"):
            withdraw_relationship(row, actor=None)


def test_declaration_is_validated(app):
    with in_tenant(app) as tenant:
        provider = factories.provider(tenant, PROVIDER)
        shirakawa = factories.municipality(CODES["shirakawa"])
        with pytest.raises(RelationshipError, match="理由"):
            declare_relationship(tenant, provider=provider, municipality=shirakawa, kind="other", reason=" ", actor=None)
        with pytest.raises(RelationshipError, match="会員企業と市町村"):
            declare_relationship(tenant, provider=shirakawa, municipality=provider, kind="other", reason="x", actor=None)


@pytest.fixture
def people(app):
    with in_tenant(app) as tenant:
        factories.user(tenant, "operator", "op@example.jp")
        users(tenant)
        provider = factories.provider(tenant, PROVIDER)
        shirakawa = factories.municipality(CODES["shirakawa"])
        db.session.commit()
        return {"provider": provider.id, "shirakawa": shirakawa.id}


def test_provider_declares_and_sees_its_own_only(client, people):
    login(client, "prov@example.jp")
    response = client.post(f"{BASE}/relationships", data={"provider": people["provider"], "municipality": people["shirakawa"],
                                                          "kind": "incumbent_vendor", "reason": "現行の基幹系システムを受託"})
    assert response.status_code == 302
    assert "現行の基幹系システムを受託" in client.get(f"{BASE}/relationships").get_data(as_text=True)
    client.post(f"{BASE}/logout")
    login(client, "other-prov@example.jp")
    page = client.get(f"{BASE}/relationships").get_data(as_text=True)
    assert "現行の基幹系システムを受託" not in page
    # another provider cannot declare for a company not its own (the choice is not offered)
    response = client.post(f"{BASE}/relationships", data={"provider": people["provider"], "municipality": people["shirakawa"],
                                                          "kind": "other", "reason": "なりすまし"})
    assert response.status_code == 400
    client.post(f"{BASE}/logout")
    login(client, "op@example.jp")
    assert "現行の基幹系システムを受託" in client.get(f"{BASE}/relationships").get_data(as_text=True)
    client.post(f"{BASE}/logout")
    login(client, "shirakawa@example.jp")
    assert client.get(f"{BASE}/relationships").status_code == 404


def test_manual_adjust_refuses_a_blocked_item(app):
    from app.selection.services import SelectionError, adjust_allocation

    with in_tenant(app) as tenant:
        w = build(tenant, confirm=False)
        declare_relationship(tenant, provider=factories.provider(tenant, PROVIDER), actor=None, kind="incumbent_vendor",
                             municipality=factories.municipality(CODES["shirakawa"]), reason="現行システムを受託")
        by_app = {a.application_id: a for a in w.selection.allocations}
        adjust_allocation(by_app[w.apps["koriyama"].id], actor=None, menu_item=None, is_pinned=False, is_excluded=False)
        allocation = by_app[w.apps["shirakawa"].id]  # A has room now: only the relationship stands in the way
        with pytest.raises(SelectionError, match="利害関係"):
            adjust_allocation(allocation, actor=None, menu_item=w.items["A"], is_pinned=False, is_excluded=False)
        assert allocation.menu_item_id is None
