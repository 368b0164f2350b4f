import datetime as dt

import pytest
import sqlalchemy as sa

from app.calls.states import CallPhase
from app.core.clock import today_jst
from app.engagements import services
from app.engagements.models import Engagement, SupportSession
from app.engagements.states import EngagementState, ReportState
from app.extensions import db
from tests.conftest import in_tenant, login
from tests.engagements import builders

BASE = "/t/fukushima"


@pytest.fixture
def world(app):
    """Users of every role and one engagement per state of interest; returns ids and e-mails."""
    with in_tenant(app) as t:
        emails = builders.users(t)
        ids = {
            "assigned": builders.engagement(t).id,
            "accepted": builders.engagement(t, state=EngagementState.ACCEPTED).id,
            "started": builders.started(t, title="ＢＰＲ支援").id,
            "other": builders.engagement(t, lg_code=builders.AIZU, provider_name="別の会員企業株式会社",
                                         title="ＲＰＡ実証確認").id,
        }
        db.session.commit()
    return {**emails, **ids}


def _engagement(app, engagement_id):
    with in_tenant(app):
        return db.session.scalar(sa.select(Engagement).where(Engagement.id == engagement_id))


def test_anonymous_users_are_sent_to_login(client, world):
    for url in (f"{BASE}/engagements", f"{BASE}/engagements/{world['assigned']}"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reviewers_cannot_see_engagements(client, world):
    login(client, world["rev"])
    assert client.get(f"{BASE}/engagements").status_code == 404
    assert client.get(f"{BASE}/engagements/{world['assigned']}").status_code == 404


def test_operator_list_shows_all_and_filters(client, world):
    login(client, world["op"])
    page = client.get(f"{BASE}/engagements").get_data(as_text=True)
    assert "福島市" in page and "会津若松市" in page and "ＲＰＡ実証確認" in page
    page = client.get(f"{BASE}/engagements?state=accepted").get_data(as_text=True)
    assert page.count("情報セキュリティポリシー見直し") == 1 and "ＲＰＡ実証確認" not in page
    page = client.get(f"{BASE}/engagements?fiscal_year=2023").get_data(as_text=True)
    assert "条件に合う支援案件はありません" in page


def test_operator_can_filter_by_provider(app, client, world):
    other_provider_id = _engagement(app, world["other"]).provider_id
    login(client, world["op"])
    page = client.get(f"{BASE}/engagements?provider={other_provider_id}").get_data(as_text=True)
    assert "ＲＰＡ実証確認" in page and "情報セキュリティポリシー見直し" not in page


def test_provider_sees_only_its_own_engagements(client, world):
    login(client, world["prov"])
    page = client.get(f"{BASE}/engagements").get_data(as_text=True)
    assert "情報セキュリティポリシー見直し" in page and "ＲＰＡ実証確認" not in page
    assert client.get(f"{BASE}/engagements/{world['other']}").status_code == 404
    assert client.get(f"{BASE}/engagements/{world['assigned']}").status_code == 200


def test_municipal_staff_see_only_their_municipality(client, world):
    login(client, world["other_muni"])
    page = client.get(f"{BASE}/engagements").get_data(as_text=True)
    assert "ＲＰＡ実証確認" in page and "情報セキュリティポリシー見直し" not in page
    assert client.get(f"{BASE}/engagements/{world['assigned']}").status_code == 404


def test_list_shows_session_count_and_last_date(app, client, world):
    with in_tenant(app):
        e = db.session.get(Engagement, world["accepted"])
        builders.log(e, held_on=dt.date(2024, 7, 10))
        builders.log(e, held_on=dt.date(2024, 8, 20))
        db.session.commit()
    login(client, world["prov"])
    page = client.get(f"{BASE}/engagements").get_data(as_text=True)
    assert "2024年8月20日" in page and '<td class="num">2</td>' in page


def test_provider_accepts_and_others_cannot(app, client, world):
    login(client, world["muni"])
    assert client.post(f"{BASE}/engagements/{world['assigned']}/accept").status_code == 404
    client.post(f"{BASE}/logout")
    login(client, world["other_prov"])
    assert client.post(f"{BASE}/engagements/{world['assigned']}/accept").status_code == 404
    client.post(f"{BASE}/logout")
    login(client, world["prov"])
    assert client.post(f"{BASE}/engagements/{world['assigned']}/accept").status_code == 302
    assert _engagement(app, world["assigned"]).state == EngagementState.ACCEPTED
    assert client.post(f"{BASE}/engagements/{world['assigned']}/accept").status_code == 409


def _session_form(**changes):
    data = {"held_on": "2024-07-10", "format": "onsite", "hours": "1.5", "attendees_staff": "3",
            "attendees_manager": "1", "content": "課題と目標を確認", "proposals_count": "2"}
    data.update(changes)
    return data


def test_logging_a_session_through_the_form(app, client, world):
    login(client, world["prov"])
    url = f"{BASE}/engagements/{world['started']}/sessions/new"
    page = client.get(url).get_data(as_text=True)
    assert 'type="time"' in page and 'inputmode="numeric"' in page and 'step="0.25"' in page and "意識改革・機運醸成" in page
    response = client.post(url, data=_session_form(start_time="13:30", categories=["PLAN", "ORG"]))
    assert response.status_code == 302
    with in_tenant(app):
        session = db.session.scalar(sa.select(SupportSession).where(SupportSession.engagement_id == world["started"]))
        assert session.duration_minutes == 90 and session.attendees["担当職員"] == 3 and session.proposals_count == 2
        assert session.start_time == dt.time(13, 30) and session.categories == ["ORG", "PLAN"]


@pytest.mark.parametrize(("changes", "message"), [
    ({"hours": "abc"}, "0.25〜24時間"),
    ({"hours": "0.1"}, "0.25〜24時間"),
    ({"hours": "1.3"}, "15分"),
    ({"hours": "NaN"}, "数値で入力"),
    ({"attendees_staff": "0", "attendees_manager": ""}, "1名以上"),
    ({"attendees_staff": "-1"}, "0〜999"),
    ({"content": "  "}, "支援内容を入力"),
    ({"held_on": ""}, "実施日を入力"),
    ({"format": "teleport"}, "実施形態"),
])
def test_bad_session_input_is_400_with_a_japanese_message(client, world, changes, message):
    login(client, world["prov"])
    response = client.post(f"{BASE}/engagements/{world['started']}/sessions/new", data=_session_form(**changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "入力内容に誤りがあります" in page
    if message != "実施形態":
        assert message in page
    assert "課題と目標を確認" in page or changes.get("content")  # what the user typed is kept


def test_a_future_session_date_is_refused(client, world):
    login(client, world["prov"])
    tomorrow = (today_jst() + dt.timedelta(days=1)).isoformat()
    response = client.post(f"{BASE}/engagements/{world['started']}/sessions/new", data=_session_form(held_on=tomorrow))
    assert response.status_code == 400 and "未来の日付" in response.get_data(as_text=True)


def test_sessions_cannot_be_logged_before_support_starts(app, client, world):
    with in_tenant(app) as t:
        early = builders.engagement(t, phase=CallPhase.SELECTION, state=EngagementState.ACCEPTED, fiscal_year=2025).id
        db.session.commit()
    login(client, world["prov"])
    url = f"{BASE}/engagements/{early}/sessions/new"
    response = client.get(url, follow_redirects=True)
    assert "支援開始（支援実施フェーズ）前" in response.get_data(as_text=True)
    response = client.post(url, data=_session_form())
    assert response.status_code == 400 and "支援開始" in response.get_data(as_text=True)
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count(SupportSession.id))) == 0


def test_other_provider_cannot_log_sessions(client, world):
    login(client, world["other_prov"])
    assert client.post(f"{BASE}/engagements/{world['started']}/sessions/new", data=_session_form()).status_code == 404


def test_municipality_confirms_a_session_with_a_comment(app, client, world):
    with in_tenant(app):
        session_id = builders.log(db.session.get(Engagement, world["accepted"])).id
        db.session.commit()
    url = f"{BASE}/sessions/{session_id}/confirm"
    for email in (world["other_muni"], world["prov"]):
        login(client, email)
        assert client.post(url, data={"comment": "x"}).status_code == 404
        client.post(f"{BASE}/logout")
    login(client, world["muni"])
    assert client.post(url, data={"comment": "ありがとうございました"}).status_code == 302
    page = client.get(f"{BASE}/engagements/{world['accepted']}").get_data(as_text=True)
    assert "確認済" in page and "ありがとうございました" in page
    assert client.post(url, data={"comment": ""}).status_code == 400


def test_complete_report_return_resubmit_accept_and_close(app, client, world):
    with in_tenant(app):
        session_id = builders.log(db.session.get(Engagement, world["started"])).id
        db.session.commit()
    eid = world["started"]
    login(client, world["prov"])
    response = client.post(f"{BASE}/engagements/{eid}/complete")
    assert response.status_code == 400 and "確認した支援実施記録" in response.get_data(as_text=True)
    client.post(f"{BASE}/logout")
    login(client, world["muni"])
    assert client.post(f"{BASE}/engagements/{eid}/complete").status_code == 404  # the provider's edge
    assert client.post(f"{BASE}/sessions/{session_id}/confirm", data={"comment": ""}).status_code == 302
    client.post(f"{BASE}/logout")

    login(client, world["prov"])
    assert client.post(f"{BASE}/engagements/{eid}/complete").status_code == 302
    assert _engagement(app, eid).state == EngagementState.COMPLETED
    assert "実績報告の提出期限" in client.get(f"{BASE}/engagements/{eid}").get_data(as_text=True)
    response = client.post(f"{BASE}/engagements/{eid}/report", data={"summary": "", "outcomes": "x"})
    assert response.status_code == 400 and "支援の概要を入力してください" in response.get_data(as_text=True)
    assert client.post(f"{BASE}/engagements/{eid}/report", data={"summary": "概要です"}).status_code == 302
    client.post(f"{BASE}/logout")

    login(client, world["op"])
    response = client.post(f"{BASE}/engagements/{eid}/report/decide", data={"decision": "return", "reason": ""})
    assert response.status_code == 400 and "理由を入力してください" in response.get_data(as_text=True)
    assert client.post(f"{BASE}/engagements/{eid}/report/decide", data={"decision": "return", "reason": "成果を追記"}).status_code == 302
    assert _engagement(app, eid).state == EngagementState.COMPLETED
    client.post(f"{BASE}/logout")

    login(client, world["prov"])
    assert "成果を追記" in client.get(f"{BASE}/engagements/{eid}/report").get_data(as_text=True)
    assert client.post(f"{BASE}/engagements/{eid}/report", data={"summary": "概要です", "outcomes": "成果"}).status_code == 302
    assert client.post(f"{BASE}/engagements/{eid}/close").status_code == 404
    client.post(f"{BASE}/logout")

    login(client, world["op"])
    assert client.post(f"{BASE}/engagements/{eid}/close").status_code == 400
    assert client.post(f"{BASE}/engagements/{eid}/report/decide", data={"decision": "accept"}).status_code == 302
    assert client.post(f"{BASE}/engagements/{eid}/close").status_code == 302
    with in_tenant(app):
        e = db.session.get(Engagement, eid)
        assert e.state == EngagementState.CLOSED and services.report_of(e).state == ReportState.ACCEPTED
    page = client.get(f"{BASE}/engagements/{eid}").get_data(as_text=True)
    timeline = page[page.index("経過"):]
    assert [label in timeline for label in ("状態：支援中", "第1回 支援実施", "実績報告：差戻し", "状態：終了")] == [True] * 4
    assert timeline.index("状態：支援中") < timeline.index("実績報告：受理") < timeline.index("状態：終了")
    assert "2024年7月10日</span> 第1回 支援実施（対面・市町村確認済）" in timeline  # sessions by their date


def test_report_form_is_refused_before_completion(client, world):
    login(client, world["prov"])
    response = client.get(f"{BASE}/engagements/{world['started']}/report", follow_redirects=True)
    assert "支援完了とした案件のみ" in response.get_data(as_text=True)
    assert client.post(f"{BASE}/engagements/{world['started']}/report", data={"summary": "x"}).status_code == 400


def test_only_the_operator_decides_closes_and_cancels(client, world):
    login(client, world["prov"])
    eid = world["assigned"]
    assert client.post(f"{BASE}/engagements/{eid}/cancel", data={"reason": "x"}).status_code == 404
    assert client.post(f"{BASE}/engagements/{eid}/close").status_code == 404


def test_cancel_needs_a_reason(app, client, world):
    login(client, world["op"])
    url = f"{BASE}/engagements/{world['assigned']}/cancel"
    response = client.post(url, data={"reason": ""})
    assert response.status_code == 400 and "中止の理由を入力してください" in response.get_data(as_text=True)
    assert client.post(url, data={"reason": "辞退"}).status_code == 302
    assert _engagement(app, world["assigned"]).state == EngagementState.CANCELLED


def test_home_tasks_per_role(app, client, world):
    login(client, world["prov"])
    assert "受諾待ちの支援案件" in client.get(f"{BASE}/").get_data(as_text=True)
    client.post(f"{BASE}/logout")
    with in_tenant(app):
        builders.log(db.session.get(Engagement, world["accepted"]))
        db.session.commit()
    login(client, world["muni"])
    assert "確認待ちの支援実施記録" in client.get(f"{BASE}/").get_data(as_text=True)
