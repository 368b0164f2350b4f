"""Needs survey: rounds, the edit window, validation shared with importers, the de-identified
summary with small-cell suppression, and who sees individual answers."""
import datetime as dt
import re

import pytest

from app.core.clock import today_jst
from app.extensions import db
from app.needs import queries
from app.needs.services import NeedsSurveyError, record_needs_response, remind_needs_non_respondents, save_needs_round
from tests import factories
from tests.conftest import in_tenant, login
from tests.engagements import builders

BASE = "/t/fukushima"
# 県北: 福島市, 伊達市, 本宮市 (3); 会津: 会津若松市 (1)
KENPOKU, AIZU = ("072010", "072133", "072141"), "072028"


def _round(t, *, open_now: bool = True):
    today = today_jst()
    start, end = (today - dt.timedelta(days=5), today + dt.timedelta(days=5)) if open_now else \
        (today - dt.timedelta(days=30), today - dt.timedelta(days=1))
    return save_needs_round(t, fiscal_year=2025, opens_on=start, closes_on=end, actor=None)


def _answer(round_, lg_code, categories=("AI", "RPA"), maturity=1, **kw):
    return record_needs_response(round_, factories.municipality(lg_code), actor=None, categories=list(categories),
                                 maturity=maturity, comments=kw.get("comments", {}), check_window=False)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"categories": []}, "1つ以上"),
    ({"categories": ["NOPE"]}, "分類一覧にない"),
    ({"maturity": 7}, "取組段階"),
    ({"maturity": "1"}, "取組段階"),
    ({"comments": {"SEC": "選んでいない"}}, "選んでいない分類"),
    ({"comments": {"AI": "あ" * 1001}}, "1000文字"),
])
def test_invalid_answers_are_refused(app, kwargs, message):
    with in_tenant(app) as t:
        round_ = _round(t)
        args = {"categories": ["AI"], "maturity": 1, "comments": {}, **kwargs}
        with pytest.raises(NeedsSurveyError, match=message):
            record_needs_response(round_, factories.municipality("072010"), actor=None, **args)


def test_answer_is_replaced_and_kept_in_taxonomy_order(app):
    with in_tenant(app) as t:
        round_ = _round(t)
        _answer(round_, "072010", categories=("RPA", "AI"), comments={"AI": " 生成AIの活用 ", "RPA": ""})
        response = _answer(round_, "072010", categories=("SEC", "AI"), maturity=2, comments={"AI": "議事録"})
        assert (response.categories, response.maturity, response.comments) == (["AI", "SEC"], 2, {"AI": "議事録"})
        responses, missing = queries.answer_status(t, round_)
        assert len(responses) == 1 and len(missing) == 58


def test_municipal_staff_cannot_answer_outside_the_window(app):
    with in_tenant(app) as t:
        round_ = _round(t, open_now=False)
        with pytest.raises(NeedsSurveyError, match="回答期間外"):
            record_needs_response(round_, factories.municipality("072010"), actor=None, categories=["AI"], maturity=1,
                                  comments={})


def test_summary_has_counts_only_and_suppresses_small_cells(app):
    with in_tenant(app) as t:
        round_ = _round(t)
        for code in KENPOKU:
            _answer(round_, code, comments={"AI": "福島市の秘密の事情"})
        _answer(round_, AIZU, categories=("SEC",), maturity=3)
        summary = queries.needs_summary(t, round_)
        cells = {label: cell.label for label, cell in summary.by_category}
        assert cells["AI活用"] == "3" and cells["情報セキュリティ"] == "3団体未満" and cells["RPA"] == "3"
        assert cells["キャッシュレス決済"] == "0"
        regions = {row.region: (row.respondents.label, row.top_categories) for row in summary.by_region}
        assert regions["県北"] == ("3", [("AI活用", 3), ("RPA", 3)])
        assert regions["会津"] == ("3団体未満", [])
        levels = [cell.label for _label, cell in summary.by_maturity]
        assert levels == ["0", "3", "0", "3団体未満"]


@pytest.fixture
def world(app):
    with in_tenant(app) as t:
        emails = builders.users(t)
        round_ = _round(t)
        for code in KENPOKU:
            _answer(round_, code, comments={"AI": "秘密の事情"})
        db.session.commit()
        return {**emails, "round": round_.id}


def test_provider_sees_the_summary_but_no_individual_answer(client, world):
    login(client, world["prov"])
    page = client.get(f"{BASE}/needs/summary").get_data(as_text=True)
    assert "AI活用" in page and "福島市" not in page and "伊達市" not in page and "秘密の事情" not in page
    for url in (f"{BASE}/needs/rounds/{world['round']}", f"{BASE}/needs/answer", f"{BASE}/municipalities/1"):
        assert client.get(url).status_code == 404
    assert client.post(f"{BASE}/needs/rounds/{world['round']}/remind").status_code == 404


def test_municipality_edits_its_own_answer_while_open(app, client, world):
    login(client, world["muni"])  # 福島市 answered above
    page = client.get(f"{BASE}/needs/answer").get_data(as_text=True)
    assert "受付中" in page and "秘密の事情" in page
    assert re.search(r'<input checked[^>]*value="AI"', page) and not re.search(r'<input checked[^>]*value="SEC"', page)
    response = client.post(f"{BASE}/needs/answer", data={"categories": ["SEC"], "maturity": "2"})
    assert response.status_code == 302
    with in_tenant(app) as t:
        answer = queries.municipality_needs(t, factories.municipality("072010"))
        assert answer[0].categories == ["SEC"] and answer[0].comments == {}
    assert client.post(f"{BASE}/needs/answer", data={"maturity": "2"}).status_code == 400


def test_closed_round_is_read_only(app, client, world):
    with in_tenant(app) as t:
        _round(t, open_now=False)
        db.session.commit()
    login(client, world["muni"])
    assert "受付期間外" in client.get(f"{BASE}/needs/answer").get_data(as_text=True)
    client.post(f"{BASE}/needs/answer", data={"categories": ["SEC"], "maturity": "2"})
    with in_tenant(app) as t:
        assert queries.municipality_needs(t, factories.municipality("072010"))[0].categories == ["AI", "RPA"]


def test_operator_opens_a_round_sees_non_respondents_and_reminds(app, client, world):
    login(client, world["op"])
    response = client.post(f"{BASE}/needs", data={"fiscal_year": "2026", "opens_on": "2026-01-10", "closes_on": "2026-03-31"})
    assert response.status_code == 302
    assert client.post(f"{BASE}/needs", data={"fiscal_year": "2026", "opens_on": "2026-03-10",
                                              "closes_on": "2026-01-31"}).status_code == 400
    page = client.get(f"{BASE}/needs/rounds/{world['round']}").get_data(as_text=True)
    assert "3団体／59団体" in page and "会津若松市" in page
    client.post(f"{BASE}/needs/rounds/{world['round']}/remind")
    page = client.get(f"{BASE}/needs/rounds/{world['round']}").get_data(as_text=True)
    assert "56団体" in page
    with in_tenant(app) as t:
        round_ = queries.round_of_year(t, 2025)
        assert len(round_.reminders) == 1 and len(round_.reminders[0]["municipality_ids"]) == 56
        assert remind_needs_non_respondents is not None


def test_profile_shows_the_municipality_its_own_needs_answers(app, client, world):
    with in_tenant(app):
        fukushima_id = factories.municipality("072010").id
    login(client, world["muni"])
    page = client.get(f"{BASE}/municipalities/{fukushima_id}").get_data(as_text=True)
    assert "DX課題把握アンケートの回答" in page and "ステップ1：全体方針の決定の段階" in page and "秘密の事情" in page
