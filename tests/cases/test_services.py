import itertools
import json

import pytest

from app.cases.services import CaseError, create_case_draft, transition_case, update_case
from app.core.conflicts import ConflictError
from app.cases.states import TRANSITIONS, CaseState
from app.core.states import TransitionError
from app.engagements.states import EngagementState
from tests.cases import helpers
from tests.conftest import in_tenant
from tests.engagements import builders


def test_draft_is_generated_in_the_003_format_without_personal_data(app):
    with in_tenant(app) as t:
        engagement = helpers.engagement_with_application(t)
        case = create_case_draft(engagement, actor=None)
        assert case.state == CaseState.DRAFT and case.fiscal_year == 2024
        assert case.title == "事例：業務の見える化、課題分析による支援【福島県福島市】"
        assert case.key_points == ["課題：窓口の待ち時間が長く、手続が分かりにくい", "目標：手続の流れを見える化し改善策をまとめる",
                                   "事後アンケートでは「とてもつながった」との回答"]
        overview = "\n".join(case.overview)
        assert "テスト情報システム株式会社" not in overview  # the provider name is a field of its own (may be held back)
        assert "支援実施：2回（合計3.5時間）、解決策の提案：5件" in overview and "会員企業が支援を実施" in overview
        assert "業務フローを職員と一緒に作成した。" in overview and "窓口業務のフローを可視化し改善案を提示。" in overview
        assert case.outcomes == "待ち時間を3割短縮する計画を策定" and case.categories == ["BPR", "RPA"]
        assert case.dx_step == 3 and case.population is None  # no population in tenant data: none invented
        everything = json.dumps([case.title, case.key_points, case.overview, case.outcomes], ensure_ascii=False)
        assert helpers.CONTACT_EMAIL not in everything and helpers.CONTACT_NAME not in everything
        assert "024-000-0000" not in everything


def test_draft_without_application_takes_the_kickoff_issues_and_goals(app):
    with in_tenant(app) as t:
        case = create_case_draft(builders.completed(t), actor=None)
        assert case.key_points == ["課題：情報セキュリティポリシーが古い", "目標：ポリシーを改定し職員研修を行う"]


def test_draft_of_a_past_record_without_any_source_still_has_a_key_point(app):
    with in_tenant(app) as t:
        case = create_case_draft(builders.engagement(t, state=EngagementState.CLOSED), actor=None)
        assert case.key_points == ["情報セキュリティポリシー見直し"] and "福島市" in case.title
        assert case.population is None and case.related_url == ""


def test_similar_organisations_are_others_supported_with_the_same_menu_item(app):
    with in_tenant(app) as t:
        builders.engagement(t, state=EngagementState.CLOSED, lg_code=builders.AIZU, fiscal_year=2023)
        case = create_case_draft(builders.engagement(t, state=EngagementState.CLOSED), actor=None)
        assert case.similar_organisations == "福島県会津若松市（同じ支援メニューによる支援）"


@pytest.mark.parametrize("state", [EngagementState.ASSIGNED, EngagementState.ACCEPTED, EngagementState.IN_PROGRESS,
                                   EngagementState.CANCELLED])
def test_draft_only_from_finished_engagements(app, state):
    with in_tenant(app) as t:
        with pytest.raises(CaseError, match="支援完了"):
            create_case_draft(builders.engagement(t, state=state), actor=None)


def test_one_case_per_engagement(app):
    with in_tenant(app) as t:
        engagement = builders.engagement(t, state=EngagementState.CLOSED)
        create_case_draft(engagement, actor=None)
        with pytest.raises(CaseError, match="既に"):
            create_case_draft(engagement, actor=None)


EDGES = list(itertools.product(CaseState, CaseState))


@pytest.mark.parametrize(("from_state", "to_state"), EDGES, ids=[f"{a}->{b}" for a, b in EDGES])
def test_every_case_edge_is_allowed_or_refused_by_the_table(app, from_state, to_state):
    with in_tenant(app) as t:
        case = helpers.case_in(t, from_state)
        if to_state in TRANSITIONS[from_state]:
            transition_case(case, to_state, actor=None, note="コメント")
            assert case.state == to_state
        else:
            with pytest.raises(TransitionError):
                transition_case(case, to_state, actor=None, note="コメント")
            assert case.state == from_state


def test_a_return_needs_a_comment_and_keeps_it(app):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.AWAITING_APPROVAL)
        with pytest.raises(CaseError, match="コメント"):
            transition_case(case, CaseState.DRAFT, actor=None, note=" ")
        transition_case(case, CaseState.DRAFT, actor=None, note="人口の基準日を直してください")
        assert case.municipal_comment == "人口の基準日を直してください"


def test_each_party_approval_is_stamped_with_its_held_back_fields(app):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.AWAITING_APPROVAL)
        transition_case(case, CaseState.AWAITING_MUNICIPALITY, actor=None, held_back=["provider"])
        assert case.provider_approved_at is not None and case.municipal_approved_at is None
        transition_case(case, CaseState.APPROVED, actor=None, held_back=["outcomes", "population"])
        assert case.municipal_held_back == ["outcomes", "population"] and case.provider_held_back == ["provider"]
        assert case.held_back == {"outcomes", "population", "provider"} and case.approved_at is not None


def test_unknown_held_back_field_is_refused(app):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.AWAITING_APPROVAL)
        with pytest.raises(CaseError, match="非公開"):
            transition_case(case, CaseState.AWAITING_PROVIDER, actor=None, held_back=["title"])
        assert case.state == CaseState.AWAITING_APPROVAL and case.municipal_approved_at is None


def test_approval_and_publication_are_stamped_and_cleared_on_the_way_back(app):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.PUBLISHED)
        assert case.municipal_approved_at and case.provider_approved_at and case.published_at
        transition_case(case, CaseState.DRAFT, actor=None)
        assert case.municipal_approved_at is None and case.provider_approved_at is None
        assert case.approved_at is None and case.published_at is None


def test_publishing_without_both_approvals_is_refused_even_if_state_was_forced(app):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.APPROVED)
        case.provider_approved_at = None  # e.g. data loaded from elsewhere
        with pytest.raises(CaseError, match="双方の承認"):
            transition_case(case, CaseState.PUBLISHED, actor=None)


@pytest.mark.parametrize(("field", "text"), [
    ("outcomes", "詳細は担当 090-1234-5678 まで"), ("overview", ["問合せ：ｔａｒｏ＠example.jp"]),
    ("key_points", ["田中さんの協力で改善"]), ("similar_organisations", "番号 1234 5678 9012 を確認"),
])
def test_publication_is_blocked_until_the_personal_data_is_removed(app, field, text):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.DRAFT)
        update_case(case, actor=None, **{field: text})
        for target in helpers.PATH[1:4]:
            transition_case(case, target, actor=None)
        with pytest.raises(CaseError, match="個人情報"):
            transition_case(case, CaseState.PUBLISHED, actor=None)
        transition_case(case, CaseState.DRAFT, actor=None)
        update_case(case, actor=None, **{field: ["記載を削除"] if isinstance(text, list) else "記載を削除"})
        for target in helpers.PATH[1:]:
            transition_case(case, target, actor=None)
        assert case.state == CaseState.PUBLISHED


def test_a_held_back_provider_name_in_the_text_blocks_publication(app):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.DRAFT)
        update_case(case, actor=None, outcomes="テスト情報システム株式会社の提案で改善")
        transition_case(case, CaseState.AWAITING_APPROVAL, actor=None)
        transition_case(case, CaseState.AWAITING_PROVIDER, actor=None)
        transition_case(case, CaseState.APPROVED, actor=None, held_back=["provider"])
        with pytest.raises(CaseError, match="会員企業名"):
            transition_case(case, CaseState.PUBLISHED, actor=None)


def test_search_text_holds_public_text_only(app):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.DRAFT)
        update_case(case, actor=None, outcomes="ＲＰＡで残業削減")
        assert "rpaで残業削減" in case.search_text and "てすと情報しすてむ" in case.search_text
        transition_case(case, CaseState.AWAITING_APPROVAL, actor=None)
        transition_case(case, CaseState.AWAITING_PROVIDER, actor=None, held_back=["outcomes"])
        transition_case(case, CaseState.APPROVED, actor=None, held_back=["provider"])
        assert "残業削減" not in case.search_text and "てすと情報" not in case.search_text


def test_update_case_saves_valid_fields(app):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.DRAFT)
        update_case(case, actor=None, title=" 事例：新しい題【福島県福島市】 ", key_points=["a", "b"], dx_step=2,
                    categories=["SEC", "AI"], population=272000, population_basis="住民基本台帳（令和6年1月1日）",
                    related_url="https://www.city.fukushima.fukushima.jp/")
        assert (case.title, case.dx_step, case.population) == ("事例：新しい題【福島県福島市】", 2, 272000)


@pytest.mark.parametrize(("fields", "message"), [
    ({"key_points": []}, "1〜3行"),
    ({"key_points": ["1", "2", "3", "4"]}, "1〜3行"),
    ({"title": " "}, "タイトル"),
    ({"dx_step": 4}, "DXステップ"),
    ({"categories": ["NOPE"]}, "分類"),
    ({"population": -1}, "人口"),
    ({"related_url": "javascript:alert(1)"}, "URL"),
    ({"related_url": "ftp://example.jp/x"}, "URL"),
])
def test_update_case_refuses_invalid_values(app, fields, message):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.DRAFT)
        with pytest.raises(CaseError, match=message):
            update_case(case, actor=None, **fields)


@pytest.mark.parametrize("state", [CaseState.AWAITING_APPROVAL, CaseState.APPROVED, CaseState.PUBLISHED])
def test_only_drafts_are_edited(app, state):
    with in_tenant(app) as t:
        case = helpers.case_in(t, state)
        with pytest.raises(CaseError, match="下書き"):
            update_case(case, actor=None, title="x")


def test_unknown_fields_are_a_programming_error(app):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.DRAFT)
        with pytest.raises(TypeError):
            update_case(case, actor=None, state="published")


def test_a_concurrent_edit_is_reported_not_lost(app):
    with in_tenant(app) as t:
        case = helpers.case_in(t, CaseState.DRAFT)
        started_from = case.version_id
        update_case(case, actor=None, version_id=started_from, title="事例：先に保存")
        with pytest.raises(ConflictError) as conflict:
            update_case(case, actor=None, version_id=started_from, title="事例：後から保存")
        assert [(r.mine, r.theirs) for r in conflict.value.rows] == [("事例：後から保存", "事例：先に保存")]
        assert case.title == "事例：先に保存"
