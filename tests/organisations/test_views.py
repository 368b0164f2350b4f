"""組織管理 as the operator uses it: list, create, edit, deactivate and reactivate each kind, with
the Japanese messages of refused input (nothing written) and the audit of every save."""
from __future__ import annotations

import pytest

from app.tenancy.models import OrganisationKind
from tests.conftest import in_tenant
from tests.organisations.conftest import URL, audits, count_orgs, org_named, set_rules, valid_code

MUNICIPALITY = {"lg_code": "", "name": "しんせつ町", "kana": "しんせつまち", "municipality_kind": "町",
                "district": "テスト郡", "region": "県北", "area": "中通り"}


def _municipality(**changes):
    return {**MUNICIPALITY, "lg_code": valid_code("07999"), **changes}


def test_lists_are_per_kind_searchable_and_show_the_state_as_text(operator):
    page = operator.get(f"{URL}/").get_data(as_text=True)
    assert "福島市" in page and "072010" in page and "有効" in page and "会員企業" in page
    found = operator.get(f"{URL}/?kind=municipality&q=会津").get_data(as_text=True)
    assert "会津若松市" in found and "福島市" not in found
    providers = operator.get(f"{URL}/?kind=provider").get_data(as_text=True)
    assert "テスト情報システム株式会社" in providers and "会津若松市" not in providers
    assert operator.get(f"{URL}/?kind=office").status_code == 404
    assert operator.get(f"{URL}/?kind=chamber_of_commerce").status_code == 404  # Fukushima: municipalities only


def test_create_edit_deactivate_and_reactivate_a_municipality(app, operator):
    response = operator.post(f"{URL}/new?kind=municipality", data=_municipality(is_evacuation_area="y"))
    assert response.status_code == 302
    with in_tenant(app):
        org = org_named("しんせつ町")
        assert (org.kind, org.lg_code, org.district, org.region, org.is_evacuation_area) == (
            OrganisationKind.MUNICIPALITY, valid_code("07999"), "テスト郡", "県北", True)
        assert audits("organisation.create")[-1].changes["lg_code"] == org.lg_code
        org_id = org.id
    edit = operator.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="しんせつまち"' in edit and "無効にする" in edit and "ログインできなくなり" in edit
    assert operator.post(f"{URL}/{org_id}", data=_municipality(kana="しんせつちょう", area="浜通り")).status_code == 302
    with in_tenant(app):
        assert audits("organisation.update")[-1].changes == {
            "kana": ["しんせつまち", "しんせつちょう"], "area": ["中通り", "浜通り"], "is_evacuation_area": [True, False]}
    assert operator.post(f"{URL}/{org_id}/deactivate").status_code == 302
    with in_tenant(app):
        assert org_named("しんせつ町").is_active is False
        assert audits("organisation.deactivate")[-1].changes["is_active"] == [True, False]
    listed = operator.get(f"{URL}/?kind=municipality&status=inactive").get_data(as_text=True)
    assert "しんせつ町" in listed and "福島市" not in listed and "無効" in listed
    assert operator.post(f"{URL}/{org_id}/reactivate").status_code == 302
    with in_tenant(app):
        assert org_named("しんせつ町").is_active is True and audits("organisation.reactivate")


@pytest.mark.parametrize(("data", "message"), [
    (_municipality(name="福島市"), "同じ名前の市町村が既に登録されています（福島市）"),
    (_municipality(lg_code="072011"), "検査数字"),
    (_municipality(lg_code="072010"), "この市町村コードは「福島市」に登録されています"),
    (_municipality(region="関東"), "次のいずれかにしてください：県北、県中"),
    (_municipality(municipality_kind="区"), "市・町・村のいずれかを選んでください"),
    (_municipality(name=""), "名称を入力してください"),
])
def test_refused_municipality_names_the_field_and_writes_nothing(app, operator, data, message):
    with in_tenant(app):
        before = count_orgs()
    response = operator.post(f"{URL}/new?kind=municipality", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and "入力内容に誤りがあります" in page
    with in_tenant(app):
        assert count_orgs() == before and not audits("organisation.create")


def test_editing_into_an_existing_name_is_refused_with_the_field_named(app, operator):
    with in_tenant(app):
        org_id = org_named("会津若松市").id
    response = operator.post(f"{URL}/{org_id}", data=_municipality(lg_code="072028", name="福島市"))
    assert response.status_code == 400 and "市町村名" in response.get_data(as_text=True)
    with in_tenant(app):
        assert org_named("会津若松市") is not None and not audits("organisation.update")


def test_member_company_has_no_themes_and_duplicates_are_refused(app, operator):
    form = operator.get(f"{URL}/new?kind=provider").get_data(as_text=True)
    assert "登録テーマ" not in form
    assert operator.post(f"{URL}/new?kind=provider", data={"name": "新規DX株式会社", "kana": "しんきでぃーえっくす"}).status_code == 302
    again = operator.post(f"{URL}/new?kind=provider", data={"name": "新規DX株式会社"})
    assert again.status_code == 400 and "同じ名前の会員企業が既に登録されています" in again.get_data(as_text=True)
    with in_tenant(app):
        assert org_named("新規DX株式会社").themes == []


def test_registered_expert_with_themes_from_the_tenant_taxonomy(app, operator):
    set_rules(app, provider_model="expert_themes", call_model="on_demand")
    assert "登録テーマ" in operator.get(f"{URL}/new?kind=provider").get_data(as_text=True)
    missing = operator.post(f"{URL}/new?kind=provider", data={"name": "専門家C"})
    assert missing.status_code == 400 and "1つ以上入力してください" in missing.get_data(as_text=True)
    unknown = operator.post(f"{URL}/new?kind=provider", data={
        "name": "専門家C", "themes-0-title": "AI研修", "themes-0-categories": "NOPE", "themes-0-format": "online"})
    assert unknown.status_code == 400 and "分類「NOPE」はこの事業の分類一覧にありません" in unknown.get_data(as_text=True)
    response = operator.post(f"{URL}/new?kind=provider", data={
        "name": "専門家C", "themes-0-title": "AI研修", "themes-0-categories": ["MINDSET", "PLAN"], "themes-0-format": "online",
        "themes-1-title": "", "themes-1-format": ""})
    assert response.status_code == 302
    with in_tenant(app):
        assert org_named("専門家C").themes == [{"title": "AI研修", "categories": ["MINDSET", "PLAN"], "format": "online"}]
    page = operator.get(response.headers["Location"]).get_data(as_text=True)
    assert 'value="AI研修"' in page and "テーマ 3" in page  # the registered theme and two blank rows


def test_only_one_commissioned_adviser_is_active(app, operator):
    set_rules(app, provider_model="commissioned_adviser", call_model="on_demand")
    with in_tenant(app):
        existing = org_named("テスト情報システム株式会社").id  # the provider of the `people` fixture
    theme = {"themes-0-title": "相談", "themes-0-categories": "MINDSET", "themes-0-format": "hybrid"}
    second = operator.post(f"{URL}/new?kind=provider", data={"name": "推進アドバイザー", **theme})
    assert second.status_code == 400 and "委託アドバイザーは1者だけ有効にできます" in second.get_data(as_text=True)
    assert operator.post(f"{URL}/{existing}/deactivate").status_code == 302
    assert operator.post(f"{URL}/new?kind=provider", data={"name": "推進アドバイザー", **theme}).status_code == 302
    operator.post(f"{URL}/{existing}/reactivate")
    with in_tenant(app):
        assert org_named("テスト情報システム株式会社").is_active is False


def test_other_applicant_bodies_when_the_rules_accept_them(app, operator):
    set_rules(app, applicant_kinds=["municipality", "chamber_of_commerce"], call_model="on_demand")
    index = operator.get(f"{URL}/?kind=chamber_of_commerce").get_data(as_text=True)
    assert "商工会" in index and "教育委員会" not in index
    assert operator.get(f"{URL}/new?kind=board_of_education").status_code == 404
    bad = operator.post(f"{URL}/new?kind=chamber_of_commerce", data={"name": "テスト町商工会", "region": "関東"})
    assert bad.status_code == 400 and "地域" in bad.get_data(as_text=True)
    ok = operator.post(f"{URL}/new?kind=chamber_of_commerce", data={"name": "テスト町商工会", "region": "県北"})
    assert ok.status_code == 302
    with in_tenant(app):
        org = org_named("テスト町商工会")
        assert (org.kind, org.region, org.lg_code) == (OrganisationKind.CHAMBER_OF_COMMERCE, "県北", None)
    assert "テスト町商工会" in operator.get(f"{URL}/?kind=chamber_of_commerce").get_data(as_text=True)


def test_the_program_office_is_not_managed_here(app, operator):
    from tests import factories

    with in_tenant(app):
        office_id = factories.office().id
    assert operator.get(f"{URL}/{office_id}").status_code == 404
    assert operator.post(f"{URL}/{office_id}/deactivate").status_code == 404


def test_one_submission_shows_every_problem(app, operator):
    response = operator.post(f"{URL}/new?kind=municipality", data=_municipality(name="", lg_code="123", region="関東"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "名称を入力してください" in page and "検査数字" in page and "次のいずれかにしてください：県北" in page


def test_only_the_kinds_own_fields_are_saved(app, operator):
    response = operator.post(f"{URL}/new?kind=provider", data={
        "name": "新規DX株式会社", "kind": "office", "is_active": "0", "tenant_id": "999", "lg_code": valid_code("07999"),
        "is_sample": "y", "region": "県北", "themes-0-title": "勝手なテーマ", "themes-0-format": "online"})
    assert response.status_code == 302
    with in_tenant(app) as tenant:
        org = org_named("新規DX株式会社")
        assert (org.kind, org.is_active, org.tenant_id, org.lg_code, org.is_sample, org.region, org.themes) == (
            OrganisationKind.PROVIDER, True, tenant.id, None, False, "", [])


def test_the_focus_group_is_asked_only_where_the_tenant_has_one_and_under_its_label(app, operator):
    page = operator.get(f"{URL}/new?kind=municipality").get_data(as_text=True)
    assert "避難地域12市町村に該当する" in page and 'name="is_evacuation_area"' in page
    set_rules(app, focus_group_label=None)
    page = operator.get(f"{URL}/new?kind=municipality").get_data(as_text=True)
    assert "避難地域" not in page and 'name="is_evacuation_area"' not in page
    set_rules(app, focus_group_label="重点支援地域")
    assert "重点支援地域に該当する" in operator.get(f"{URL}/new?kind=municipality").get_data(as_text=True)
