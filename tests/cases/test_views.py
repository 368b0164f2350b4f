import pytest
import sqlalchemy as sa

from app.cases.models import Case
from app.cases.states import CaseState
from app.engagements.states import EngagementState
from app.extensions import db
from tests.cases import helpers
from tests.conftest import in_tenant, login
from tests.engagements import builders

BASE = "/t/fukushima"


@pytest.fixture
def world(app):
    with in_tenant(app) as t:
        emails = builders.users(t)
        draft = helpers.case_in(t, CaseState.DRAFT)
        published = helpers.case_in(t, CaseState.PUBLISHED, lg_code=builders.AIZU, title="ＲＰＡ実証確認")
        # reference fields only (no state): what an operator would have entered before publishing
        published.population, published.population_basis, published.dx_step = 101000, "住民基本台帳（令和2年1月1日）", 3
        published.related_url, published.similar_organisations = "https://example.jp/dx", "福島県郡山市"
        finished = builders.engagement(t, state=EngagementState.CLOSED, lg_code="072036").id
        db.session.commit()
        return {**emails, "draft": draft.id, "published": published.id, "finished": finished}


def _case(app, case_id):
    with in_tenant(app):
        return db.session.scalar(sa.select(Case).where(Case.id == case_id))


def test_anonymous_sees_only_published_cases(client, world):
    page = client.get(f"{BASE}/cases").get_data(as_text=True)
    assert "ＲＰＡ実証確認による支援【福島県会津若松市】" in page and "【福島県福島市】" not in page
    assert client.get(f"{BASE}/cases/{world['draft']}").status_code == 404
    page = client.get(f"{BASE}/cases/{world['published']}").get_data(as_text=True)
    assert "【参考情報】 人口：10.1万人（住民基本台帳（令和2年1月1日））" in page
    assert "ステップ3 重点取組の実行" in page and "https://example.jp/dx" in page and "福島県郡山市" in page
    assert "テスト情報システム株式会社" in page and "令和6年度" in page and "ポイント" in page and "概要" in page
    assert "公開しない" not in page and "履歴" not in page


@pytest.mark.parametrize(("query", "shown"), [
    ("category=SEC", True), ("category=AI", False), ("dx_step=3", True), ("dx_step=1", False),
    ("fiscal_year=2024", True), ("fiscal_year=2023", False), ("category=nonsense&dx_step=x", True),
])
def test_public_filters(client, world, query, shown):
    page = client.get(f"{BASE}/cases?{query}").get_data(as_text=True)
    assert ("【福島県会津若松市】" in page) is shown


@pytest.mark.parametrize(("who", "status"), [("op", 200), ("muni", 200), ("other_muni", 404), ("prov", 200),
                                           ("other_prov", 404), ("rev", 404)])
def test_unpublished_case_visibility_by_role(client, world, who, status):
    login(client, world[who])
    assert client.get(f"{BASE}/cases/{world['draft']}").status_code == status


def test_operator_drafts_from_an_engagement_and_edits(app, client, world):
    login(client, world["op"])
    manage = client.get(f"{BASE}/cases/manage").get_data(as_text=True)
    assert "郡山市" in manage and "下書きを作成" in manage
    response = client.post(f"{BASE}/engagements/{world['finished']}/case")
    assert response.status_code == 302 and "/edit" in response.headers["Location"]
    assert client.post(f"{BASE}/engagements/{world['finished']}/case").status_code == 400
    edit_url = response.headers["Location"]
    assert "事例：情報セキュリティポリシー見直しによる支援【福島県郡山市】" in client.get(edit_url).get_data(as_text=True)
    data = {"title": "事例：見直し【福島県郡山市】", "key_points": "一\n二", "overview": "○\n△", "dx_step": "1",
            "categories": ["SEC"], "population": "310000", "related_url": "https://example.jp"}
    assert client.post(edit_url, data=data).status_code == 302
    with in_tenant(app):
        case = db.session.scalar(sa.select(Case).where(Case.title == "事例：見直し【福島県郡山市】"))
        assert case.key_points == ["一", "二"] and case.dx_step == 1 and case.population == 310000


@pytest.mark.parametrize(("changes", "message"), [
    ({"related_url": "javascript:alert(1)"}, "http:// または https://"),
    ({"key_points": "1\n2\n3\n4"}, "1〜3行"),
    ({"key_points": ""}, "ポイントを入力してください"),
    ({"population": "-5"}, "0以上の整数"),
    ({"title": ""}, "タイトルを入力してください"),
    ({"dx_step": "7"}, "入力内容に誤りがあります"),
])
def test_bad_case_input_is_400_in_japanese(client, world, changes, message):
    login(client, world["op"])
    data = {"title": "事例：題【福島県福島市】", "key_points": "一", "overview": "", "dx_step": "", **changes}
    response = client.post(f"{BASE}/cases/{world['draft']}/edit", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page


def test_non_drafts_are_not_edited_and_only_operators_edit(client, world):
    login(client, world["op"])
    response = client.get(f"{BASE}/cases/{world['published']}/edit")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/cases/{world['published']}")
    client.post(f"{BASE}/logout")
    login(client, world["muni"])
    assert client.get(f"{BASE}/cases/{world['draft']}/edit").status_code == 404
    assert client.post(f"{BASE}/engagements/{world['finished']}/case").status_code == 404


def _move(client, case_id, to, note=""):
    return client.post(f"{BASE}/cases/{case_id}/transition", data={"to": to, "note": note})


def _as(client, world, who):
    client.post(f"{BASE}/logout")
    login(client, world[who])


def test_approval_by_both_parties_through_the_views(app, client, world):
    cid = world["draft"]
    _as(client, world, "op")
    assert _move(client, cid, "published").status_code == 409  # never without both approvals
    assert _move(client, cid, "awaiting_provider").status_code == 404  # not the operator's to approve
    assert _move(client, cid, "awaiting_approval").status_code == 302

    for who in ("other_muni", "other_prov", "rev"):
        _as(client, world, who)
        assert _move(client, cid, "awaiting_provider").status_code == 404
        assert _move(client, cid, "awaiting_municipality").status_code == 404

    _as(client, world, "prov")
    assert "承認待ちの事例" in client.get(f"{BASE}/").get_data(as_text=True)
    assert _move(client, cid, "awaiting_provider").status_code == 404  # the municipality's edge
    response = _move(client, cid, "draft", "")
    assert response.status_code == 400 and "コメント" in response.get_data(as_text=True)
    assert _move(client, cid, "draft", "会社名の表記を直してください").status_code == 302
    assert _case(app, cid).provider_comment == "会社名の表記を直してください"

    _as(client, world, "op")
    assert "会社名の表記を直してください" in client.get(f"{BASE}/cases/{cid}/edit").get_data(as_text=True)
    _move(client, cid, "awaiting_approval")

    _as(client, world, "muni")
    assert "【福島県福島市】" in client.get(f"{BASE}/cases/manage").get_data(as_text=True)
    data = {"to": "awaiting_provider", "held_back": ["outcomes", "survey_solved"]}
    assert client.post(f"{BASE}/cases/{cid}/transition", data=data).status_code == 302
    assert _move(client, cid, "approved").status_code == 404  # now it is the provider's turn

    _as(client, world, "prov")
    page = client.get(f"{BASE}/cases/{cid}").get_data(as_text=True)
    assert "この内容で承認する" in page and "公開しない" in page
    data = {"to": "approved", "held_back": ["provider"]}
    assert client.post(f"{BASE}/cases/{cid}/transition", data=data).status_code == 302
    assert _move(client, cid, "published").status_code == 404

    _as(client, world, "op")
    assert "公開待ちの事例" in client.get(f"{BASE}/").get_data(as_text=True)
    assert _move(client, cid, "published").status_code == 302
    client.post(f"{BASE}/logout")
    page = client.get(f"{BASE}/cases/{cid}").get_data(as_text=True)
    assert "テスト情報システム株式会社" not in page and "ポリシーを改定した。" not in page
    assert _case(app, cid).held_back == {"outcomes", "survey_solved", "provider"}

    _as(client, world, "op")
    assert _move(client, cid, "draft", "誤記のため").status_code == 302
    client.post(f"{BASE}/logout")
    assert client.get(f"{BASE}/cases/{cid}").status_code == 404


def test_personal_data_is_warned_on_edit_and_review_and_blocks_publishing(app, client, world):
    cid = world["draft"]
    _as(client, world, "op")
    data = {"title": "事例：題【福島県福島市】", "key_points": "山田太郎様の協力", "overview": "連絡先 ｔａｒｏ＠example.jp",
            "dx_step": ""}
    assert client.post(f"{BASE}/cases/{cid}/edit", data=data).status_code == 302
    page = client.get(f"{BASE}/cases/{cid}/edit").get_data(as_text=True)
    assert "個人情報と思われる記載があります" in page and "山田太郎様" in page and "ｔａｒｏ＠example.jp" in page
    _move(client, cid, "awaiting_approval")
    _as(client, world, "muni")
    assert "ｔａｒｏ＠example.jp" in client.get(f"{BASE}/cases/{cid}").get_data(as_text=True)
    _move(client, cid, "awaiting_provider")
    _as(client, world, "prov")
    _move(client, cid, "approved")
    _as(client, world, "op")
    assert "公開できません" in client.get(f"{BASE}/cases/{cid}").get_data(as_text=True)
    response = _move(client, cid, "published")
    assert response.status_code == 400 and "個人情報" in response.get_data(as_text=True)
    assert _case(app, cid).state == CaseState.APPROVED


def test_invalid_target_state_is_400(client, world):
    login(client, world["op"])
    response = _move(client, world["draft"], "banana")
    assert response.status_code == 400 and "操作を選択してください" in response.get_data(as_text=True)


def test_anonymous_cannot_manage_or_move(client, world):
    assert client.get(f"{BASE}/cases/manage").status_code == 302
    assert _move(client, world["draft"], "awaiting_approval").status_code == 302


def test_municipal_manage_lists_only_their_cases(client, world):
    login(client, world["other_muni"])
    page = client.get(f"{BASE}/cases/manage").get_data(as_text=True)
    assert "【福島県会津若松市】" in page and "【福島県福島市】" not in page and "下書きを作成" not in page


def test_provider_manage_lists_only_their_cases(client, world):
    login(client, world["other_prov"])
    assert "事例：" not in client.get(f"{BASE}/cases/manage").get_data(as_text=True)
    _as(client, world, "prov")
    page = client.get(f"{BASE}/cases/manage").get_data(as_text=True)
    assert "【福島県会津若松市】" in page and "【福島県福島市】" in page and "下書きを作成" not in page


def test_second_editor_gets_a_conflict_message(app, client, world):
    login(client, world["op"])
    url = f"{BASE}/cases/{world['draft']}/edit"
    version = _case(app, world["draft"]).version_id
    data = {"title": "事例：一人目【福島県福島市】", "key_points": "一", "overview": "", "dx_step": "", "version_id": str(version)}
    assert client.post(url, data=data).status_code == 302
    response = client.post(url, data={**data, "title": "事例：二人目【福島県福島市】"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "他の人が先に保存しました" in page and "二人目" in page and "一人目" in page
    assert _case(app, world["draft"]).title == "事例：一人目【福島県福島市】"
