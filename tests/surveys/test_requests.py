"""Survey requests: private expiring single-use links, reminders, follow-up in FY+1."""
import datetime as dt

import pytest
import sqlalchemy as sa

from app.core.clock import today_jst
from app.core.db import utcnow
from app.extensions import db
from app.surveys.models import SurveyRequest, SurveyResponse
from app.surveys.queries import survey_results
from app.surveys.requests import (ensure_survey_requests, issue_survey_link, remind_unanswered, request_of,
                                  request_survey, token_hash)
from app.surveys.services import SurveyError, submit_survey
from app.surveys.states import RequestStatus, SurveyKind
from tests.conftest import in_tenant, login
from tests.engagements import builders

BASE = "/t/fukushima"
FORM = {"problem_solved": "つながった", "satisfaction": "4", "next_wish": "はい"}
ANSWERS = {"problem_solved": "つながった", "satisfaction": 4, "next_wish": "はい"}
FOLLOW = {"problem_solved": "解決した状態が続いている"}


def _count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count(model.id)))


@pytest.fixture
def linked(app):
    """A completed engagement with a request and a fresh link; returns (engagement id, token)."""
    with in_tenant(app) as t:
        e = builders.completed(t)
        token = issue_survey_link(request_survey(e, actor=None), actor=None, days=14)
        db.session.commit()
        return e.id, token


def test_token_is_stored_hashed_only(app, linked):
    _eid, token = linked
    with in_tenant(app):
        request = db.session.scalar(sa.select(SurveyRequest))
        assert request.link_token_hash == token_hash(token) != token
        assert len(token) >= 40 and token not in str(request.link_token_hash)


def test_link_answers_once_then_reuse_writes_nothing(app, client, linked):
    _eid, token = linked
    page = client.get(f"{BASE}/survey-link?token={token}").get_data(as_text=True)
    assert "今回の支援は、課題解決につながりましたか" in page and "福島市" in page
    done = client.post(f"{BASE}/survey-link", data={**FORM, "token": token})
    assert done.status_code == 200 and "回答を受け付けました" in done.get_data(as_text=True)
    again = client.post(f"{BASE}/survey-link", data={**FORM, "token": token})
    assert again.status_code == 410 and "すでに回答済み" in again.get_data(as_text=True)
    with in_tenant(app):
        assert _count(SurveyResponse) == 1
        assert db.session.scalar(sa.select(SurveyRequest)).answered_at is not None


def test_expired_link_shows_a_page_and_writes_nothing(app, client, linked):
    _eid, token = linked
    with in_tenant(app):
        db.session.scalar(sa.select(SurveyRequest)).link_expires_at = utcnow() - dt.timedelta(seconds=1)
        db.session.commit()
    response = client.post(f"{BASE}/survey-link", data={**FORM, "token": token})
    assert response.status_code == 410 and "有効期限が切れています" in response.get_data(as_text=True)
    with in_tenant(app):
        assert _count(SurveyResponse) == 0


def test_unknown_and_other_tenant_tokens_are_404(app, client, linked):
    _eid, token = linked
    assert client.get(f"{BASE}/survey-link?token=x{token}").status_code == 404
    assert client.get(f"{BASE}/survey-link").status_code == 404
    assert client.get(f"/t/shizuoka-sample/survey-link?token={token}").status_code in (404,)


def test_required_questions_on_the_link_page(app, client, linked):
    _eid, token = linked
    response = client.post(f"{BASE}/survey-link", data={"token": token, "satisfaction": "4"})
    assert response.status_code == 400 and "この設問に回答してください" in response.get_data(as_text=True)
    with in_tenant(app):
        assert _count(SurveyResponse) == 0


def test_reminder_only_for_unanswered_and_reissues_the_link(app, linked):
    with in_tenant(app) as t:
        answered = builders.completed(t, lg_code="072036")
        submit_survey(answered, actor=None, answers=ANSWERS)
        old = db.session.scalar(sa.select(SurveyRequest).where(SurveyRequest.engagement_id == linked[0])).link_token_hash
        reminded = remind_unanswered(t, 2024, actor=None)
        assert [r.engagement_id for r, _token in reminded] == [linked[0]]
        request, token = reminded[0]
        assert request.reminder_count == 1 and len(request.reminders) == 1 and request.last_reminded_at
        assert request.link_token_hash == token_hash(token) != old
        assert request_survey(answered, actor=None).reminder_count == 0


def test_completion_sends_the_survey_and_its_status_is_time_derived(app):
    with in_tenant(app) as t:
        request = request_of(builders.completed(t))  # sent when the engagement completes
        assert request is not None and request.due_on == today_jst() + dt.timedelta(days=30)
        assert request.status(request.due_on) == RequestStatus.UNANSWERED
        assert request.status(request.due_on + dt.timedelta(days=1)) == RequestStatus.OVERDUE


def test_lazy_requests_and_non_respondents_list(app):
    with in_tenant(app) as t:
        e = builders.completed(t)
        db.session.delete(request_of(e))  # e.g. completed before surveys were configured
        db.session.flush()
        assert [r.engagement_id for r in ensure_survey_requests(t, today=dt.date(2025, 1, 10))] == [e.id]
        assert ensure_survey_requests(t, today=dt.date(2025, 1, 10)) == []
        results = survey_results(t, 2024, today=dt.date(2025, 3, 1))
        assert [(n.municipality, n.status) for n in results.non_respondents] == [("福島市", RequestStatus.OVERDUE)]


def test_follow_up_only_in_the_next_fiscal_year(app):
    with in_tenant(app) as t:
        e = builders.completed(t)  # FY2024
        with pytest.raises(SurveyError, match="翌年度"):
            submit_survey(e, actor=None, answers=FOLLOW, kind=SurveyKind.FOLLOW_UP, today=dt.date(2025, 3, 31))
        with pytest.raises(SurveyError, match="翌年度"):
            submit_survey(e, actor=None, answers=FOLLOW, kind=SurveyKind.FOLLOW_UP, today=dt.date(2026, 4, 1))
        assert ensure_survey_requests(t, today=dt.date(2025, 3, 31)) == []  # first survey sent at completion
        assert [r.kind for r in ensure_survey_requests(t, today=dt.date(2025, 4, 1))] == [SurveyKind.FOLLOW_UP]
        submit_survey(e, actor=None, answers=ANSWERS)
        submit_survey(e, actor=None, answers=FOLLOW, kind=SurveyKind.FOLLOW_UP, today=dt.date(2025, 4, 1))
        total = survey_results(t, 2024).total
        assert (total.share.label, total.follow_up.label) == ("1件中1件（100%）", "1件中1件（100%）")


def test_operator_issues_a_link_and_reminds(app, client):
    with in_tenant(app) as t:
        emails = builders.users(t)
        eid = builders.completed(t).id
        db.session.commit()
    login(client, emails["op"])
    page = client.post(f"{BASE}/engagements/{eid}/survey/link").get_data(as_text=True)
    assert "/t/fukushima/survey-link?token=" in page
    page = client.post(f"{BASE}/surveys/remind", data={"fiscal_year": "2024"}).get_data(as_text=True)
    assert "未回答者へ督促しました" in page and "福島市" in page
    page = client.get(f"{BASE}/surveys?fiscal_year=2024").get_data(as_text=True)
    assert "1回（最終" in page and "未回答者へ督促" in page
    client.post(f"{BASE}/logout")
    login(client, emails["muni"])
    assert client.post(f"{BASE}/surveys/remind", data={"fiscal_year": "2024"}).status_code == 404
    assert client.post(f"{BASE}/engagements/{eid}/survey/link").status_code == 404
