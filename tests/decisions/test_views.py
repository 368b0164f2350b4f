"""Decision views: provider decline, notices for their recipients only, the operator's waitlist."""
import pytest
import sqlalchemy as sa

from app.applications.states import ApplicationState
from app.decisions.models import DecisionNotice
from app.engagements.models import Engagement
from app.engagements.services import accept_engagement
from app.engagements.states import EngagementState
from app.extensions import db
from tests.conftest import in_tenant, login
from tests.decisions.builders import build, users

BASE = "/t/fukushima"


@pytest.fixture
def ids(app):
    with in_tenant(app) as tenant:
        w = build(tenant)
        users(tenant)
        notices = db.session.scalars(sa.select(DecisionNotice)).all()  # issued when the selection was confirmed
        db.session.commit()
        shirakawa = next(n for n in notices if n.recipient_id == w.apps["shirakawa"].municipality_id)
        return {"call": w.call.id, "koriyama": w.engagement_of("koriyama").id, "iwaki": w.engagement_of("iwaki").id,
                "item_a": w.items["A"].id, "shirakawa_app": w.apps["shirakawa"].id,
                "fukushima_app": w.apps["fukushima"].id, "shirakawa_notice": shirakawa.id}


def _engagement_state(app, engagement_id):
    with in_tenant(app):
        return db.session.scalar(sa.select(Engagement.state).where(Engagement.id == engagement_id))


def test_provider_declines_its_own_assigned_engagement(app, client, ids):
    login(client, "other-prov@example.jp")
    assert client.post(f"{BASE}/engagements/{ids['koriyama']}/decline", data={"reason": "辞退"}).status_code == 404
    client.post(f"{BASE}/logout")
    login(client, "prov@example.jp")
    page = client.get(f"{BASE}/engagements/{ids['koriyama']}").get_data(as_text=True)
    assert "辞退する" in page
    response = client.post(f"{BASE}/engagements/{ids['koriyama']}/decline", data={"reason": ""})
    assert response.status_code == 400 and _engagement_state(app, ids["koriyama"]) == EngagementState.ASSIGNED
    response = client.post(f"{BASE}/engagements/{ids['koriyama']}/decline", data={"reason": "担当者を確保できないため"})
    assert response.status_code == 302 and _engagement_state(app, ids["koriyama"]) == EngagementState.DECLINED
    assert "担当者を確保できないため" in client.get(f"{BASE}/engagements/{ids['koriyama']}").get_data(as_text=True)


def test_provider_cannot_decline_an_accepted_engagement(app, client, ids):
    with in_tenant(app):
        accept_engagement(db.session.scalar(sa.select(Engagement).where(Engagement.id == ids["iwaki"])), actor=None)
        db.session.commit()
    login(client, "prov@example.jp")
    assert client.post(f"{BASE}/engagements/{ids['iwaki']}/decline", data={"reason": "辞退"}).status_code == 409
    assert _engagement_state(app, ids["iwaki"]) == EngagementState.ACCEPTED


def test_operator_is_proposed_the_next_best_and_promotes_it(app, client, ids):
    login(client, "prov@example.jp")
    client.post(f"{BASE}/engagements/{ids['koriyama']}/decline", data={"reason": "担当者を確保できないため"})
    client.post(f"{BASE}/logout")
    login(client, "op@example.jp")
    assert "辞退による空き枠の繰上げ" in client.get(f"{BASE}/").get_data(as_text=True)
    page = client.get(f"{BASE}/calls/{ids['call']}/waitlist").get_data(as_text=True)
    assert "白河市（補欠 1番）— 過去2年間支援なし（優先）・支援実績なし・第2希望" in page and "白河市 を繰上げ選定する" in page
    response = client.post(f"{BASE}/calls/{ids['call']}/waitlist/promote",
                           data={"application_id": ids["shirakawa_app"], "menu_item_id": ids["item_a"]})
    assert response.status_code == 302
    response = client.post(f"{BASE}/calls/{ids['call']}/waitlist/promote",
                           data={"application_id": ids["fukushima_app"], "menu_item_id": ids["item_a"]})
    assert response.status_code == 400 and "受入枠を超えるため選定できません" in response.get_data(as_text=True)
    with in_tenant(app):
        engagements = db.session.scalars(sa.select(Engagement).where(
            Engagement.menu_item_id == ids["item_a"], Engagement.state != EngagementState.DECLINED)).all()
        assert [e.application_id for e in engagements] == [ids["shirakawa_app"]]
        from app.applications.models import Application
        states = dict(db.session.execute(sa.select(Application.id, Application.state)).all())
        assert states[ids["fukushima_app"]] == ApplicationState.NOT_SELECTED


def test_waitlist_is_for_operators_only(client, ids):
    login(client, "prov@example.jp")
    assert client.get(f"{BASE}/calls/{ids['call']}/waitlist").status_code == 404
    assert client.post(f"{BASE}/calls/{ids['call']}/waitlist/promote",
                       data={"application_id": ids["shirakawa_app"], "menu_item_id": ids["item_a"]}).status_code == 404


def test_notice_is_seen_by_its_recipient_only_and_marked_read(app, client, ids):
    url = f"{BASE}/notices/{ids['shirakawa_notice']}"
    login(client, "fukushima@example.jp")
    assert client.get(url).status_code == 404
    assert client.post(f"{url}/read").status_code == 404
    assert "白河市" not in client.get(f"{BASE}/notices").get_data(as_text=True)
    client.post(f"{BASE}/logout")
    login(client, "shirakawa@example.jp")
    assert "未読の決定通知" in client.get(f"{BASE}/").get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "令和6年度 ICTアドバイザー市町村派遣事業 決定通知書" in page and "補欠 1番" in page
    assert client.post(f"{url}/read").status_code == 302
    assert "未読の決定通知" not in client.get(f"{BASE}/").get_data(as_text=True)
    client.post(f"{BASE}/logout")
    login(client, "op@example.jp")
    listing = client.get(f"{BASE}/notices").get_data(as_text=True)
    assert "白河市" in listing and "確認済" in listing and "未読" in listing
    with in_tenant(app):
        assert db.session.scalar(sa.select(DecisionNotice.read_at).where(DecisionNotice.id == ids["shirakawa_notice"]))


def test_provider_notice_lists_assignments_with_a_due_date(client, ids):
    login(client, "prov@example.jp")
    listing = client.get(f"{BASE}/notices").get_data(as_text=True)
    assert "割当通知（会員企業）" in listing
    login(client, "other-prov@example.jp")
    assert "割当通知（会員企業）" not in client.get(f"{BASE}/notices").get_data(as_text=True)
