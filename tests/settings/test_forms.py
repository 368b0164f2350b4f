"""事業設定 forms: a valid save is stored and audited with before/after; each refusal names the field
and writes nothing; non-operators get 404; one tenant's save never touches another."""
import re

import sqlalchemy as sa

import pytest

from app.auth.models import Role
from app.core.audit import AuditEvent
from app.extensions import db
from app.tenancy.models import Organisation, Tenant
from app.tenancy.transfer import ensure_imported
from tests import factories
from tests.conftest import ROOT, in_tenant, login
from tests.settings.conftest import version

BASE = "/t/fukushima/settings"
BASIC = {"name": "ICTアドバイザー派遣事業", "office_name": "デジタル推進課", "council_name": "", "provider_label": "会員企業",
         "phone": "024-521-0000", "email": "dx@pref.example.jp", "address": "福島市杉妻町2-16", "head_title": "福島県企画調整部長"}


def audits(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def tenant_state(app):
    with in_tenant(app) as tenant:
        return (tenant.name, tenant.office_name, dict(tenant.rules), tenant.calendar, list(tenant.categories),
                tenant.profile, tenant.notification_texts, tenant.tile_layout, tenant.version_id)


def post(client, path: str, data: dict, app):
    return client.post(f"{BASE}/{path}", data={"version_id": version(app), **data})


def test_basic_info_is_saved_audited_and_renames_the_office(app, operator):
    response = post(operator, "basic", BASIC, app)
    assert response.status_code == 302
    with in_tenant(app) as tenant:
        assert tenant.office_name == "デジタル推進課" and tenant.contact("head_title") == "福島県企画調整部長"
        assert factories.office().name == "福島県 デジタル推進課"
    [event] = audits(app, "settings.basic")
    assert event.changes["office_name"] == {"before": "市町村行政課", "after": "デジタル推進課"}
    assert "provider_label" not in event.changes  # unchanged keys are not listed


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "", "空でない文字列にしてください"),
    ("email", "not-an-address", "メールアドレスの形"),
    ("provider_label", "  ", "空でない文字列にしてください"),
    ("name", "長" * 201, "200文字以内にしてください"),
    ("head_title", "長" * 101, "100文字以内にしてください"),
])
def test_basic_info_refusals_name_the_field_and_write_nothing(app, operator, field, value, message):
    before = tenant_state(app)
    response = post(operator, "basic", {**BASIC, field: value}, app)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert f'href="#{field}"' in page  # the error summary links to the field
    assert tenant_state(app) == before and not audits(app, "settings.basic")


RULES = {"call_model": "annual", "applicant_kinds": ["municipality"], "provider_model": "company_menu",
         "cost_bearer": "prefecture", "max_dispatches_per_body_per_year": "", "max_choices": "4",
         "max_applications_per_municipality": "1", "max_engagements_first_pass": "1",
         "max_engagements_per_municipality": "1", "priority_lookback_years": "2", "coverage_window_years": "3",
         "max_hours_per_engagement": "", "max_sessions_per_engagement": "", "stale_after_weeks": "4",
         "report_due_days": "30", "label_municipality": "市町村（県内）"}


def test_rules_are_saved_with_the_schema_and_audited(app, operator):
    assert post(operator, "rules", RULES, app).status_code == 302
    with in_tenant(app) as tenant:
        assert tenant.rule("max_choices") == 4 and tenant.applicant_label("municipality") == "市町村（県内）"
        assert tenant.applicant_label("chamber_of_commerce") == "商工会"
        assert tenant.rule("region_order")  # keys of other pages are kept
    [event] = audits(app, "settings.rules")
    assert event.changes["max_choices"] == {"before": 3, "after": 4}


def test_the_focus_group_is_named_or_removed_on_the_rules_page(app, operator):
    assert 'value="避難地域12市町村"' in operator.get(f"{BASE}/rules").get_data(as_text=True)
    assert post(operator, "rules", {**RULES, "focus_group_label": "重点支援地域"}, app).status_code == 302
    with in_tenant(app) as tenant:
        assert tenant.focus_group_label == "重点支援地域"
    assert post(operator, "rules", {**RULES, "focus_group_label": ""}, app).status_code == 302
    with in_tenant(app) as tenant:
        assert tenant.focus_group_label is None
    response = post(operator, "rules", {**RULES, "focus_group_label": "長" * 41}, app)
    assert response.status_code == 400 and 'href="#focus_group_label"' in response.get_data(as_text=True)


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"max_choices": "11"}, "max_choices", "1以上10以下の整数にしてください"),
    ({"max_choices": "三"}, "max_choices", "1以上10以下の整数にしてください"),
    ({"stale_after_weeks": ""}, "stale_after_weeks", "1以上52以下の整数にしてください"),
    ({"max_engagements_first_pass": "2"}, "max_engagements_first_pass", "「1団体あたりの支援案件数の上限」以下にしてください"),
    ({"applicant_kinds": ["municipality", "chamber_of_commerce"]}, "applicant_kinds", "年間募集（annual）の申込団体は"),
    ({"applicant_kinds": []}, "applicant_kinds", "1つ以上指定してください"),
    ({"provider_model": "expert_themes"}, "provider_model", "company_menu は call_model"),
    ({"call_model": "weekly"}, "call_model", "次のいずれかにしてください"),
])
def test_rule_refusals_come_from_the_schema_and_name_the_field(app, operator, changes, field, message):
    before = tenant_state(app)
    response = post(operator, "rules", {**RULES, **changes}, app)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page, re.findall(r'class="error"[^>]*>([^<]*)<', page)
    assert f'id="{field}-error"' in page or f'href="#{field}"' in page
    assert tenant_state(app) == before


def _rows(prefix: str, rows: list[dict]) -> dict:
    data = {}
    for i, row in enumerate(rows):
        data |= {f"{prefix}-{i}-{k}": v for k, v in row.items()}
    return data


def _regions(app) -> list[str]:
    with in_tenant(app) as tenant:
        return list(tenant.rule("region_order"))


def _areas(app) -> dict:
    with in_tenant(app) as tenant:
        return _rows("area", [{"original": a, "name": a} for a in tenant.rule("area_order")])


def test_renaming_a_region_renames_it_on_the_organisations_and_order_is_kept(app, operator):
    regions = _regions(app)
    rows = [{"original": r, "name": r, "order": str(i + 1)} for i, r in enumerate(regions)]
    rows[0] |= {"name": "県北地域", "order": "99"}  # renamed and moved last
    response = post(operator, "regions", _rows("region", rows) | _areas(app), app)
    assert response.status_code == 302
    assert _regions(app) == regions[1:] + ["県北地域"]
    with in_tenant(app):
        assert factories.municipality("072010").region == "県北地域"
        assert not db.session.scalar(sa.select(sa.func.count()).where(Organisation.region == regions[0]))
    [event] = audits(app, "settings.regions")
    assert event.changes["region_order"]["before"] == regions


def test_a_region_in_use_cannot_be_removed_and_the_message_counts_its_organisations(app, operator):
    regions = _regions(app)
    with in_tenant(app):
        used = db.session.scalar(sa.select(sa.func.count()).where(Organisation.region == regions[0]))
    rows = [{"original": r, "name": r} for r in regions]
    rows[0]["remove"] = "1"
    response = post(operator, "regions", _rows("region", rows) | _areas(app), app)
    assert response.status_code == 400
    assert f"地域「{regions[0]}」は {used} 団体が使っているため削除できません" in response.get_data(as_text=True)
    assert _regions(app) == regions


def _categories(app):
    with in_tenant(app) as tenant:
        return list(tenant.categories)


def test_categories_are_added_relabelled_and_reordered(app, operator):
    cats = _categories(app)
    rows = [{"original": c["code"], "label": c["label"], "order": str(i + 2)} for i, c in enumerate(cats)]
    rows[0]["label"] = "新しい表示名"
    rows.append({"original": "", "code": "NEW-1", "label": "新分類", "order": "1"})
    assert post(operator, "categories", _rows("category", rows), app).status_code == 302
    after = _categories(app)
    assert after[0] == {"code": "NEW-1", "label": "新分類"}
    assert after[1] == {"code": cats[0]["code"], "label": "新しい表示名"} and len(after) == len(cats) + 1
    assert audits(app, "settings.categories")


def test_a_category_in_use_cannot_be_removed(app, operator):
    from tests.coverage.builders import call_for, menu_item

    cats = _categories(app)
    code = cats[0]["code"]
    with in_tenant(app) as tenant:
        menu_item(tenant, call_for(tenant, 2025), categories=(code,))
        db.session.commit()
    rows = [{"original": c["code"], "label": c["label"]} for c in cats]
    rows[0]["remove"] = "1"
    response = post(operator, "categories", _rows("category", rows), app)
    assert response.status_code == 400 and f"（{code}）は" in response.get_data(as_text=True)
    assert _categories(app) == cats


def test_a_new_category_with_a_bad_code_is_refused_naming_the_row(app, operator):
    cats = _categories(app)
    rows = [{"original": c["code"], "label": c["label"]} for c in cats] + [{"code": "分類", "label": "x"}]
    response = post(operator, "categories", _rows("category", rows), app)
    assert response.status_code == 400 and f"{len(cats) + 1}行目 コード" in response.get_data(as_text=True)


def test_the_rubric_is_saved_and_a_bad_maximum_names_the_row(app, operator):
    rows = [{"key": "fit", "label": "課題への適合", "max": "5", "weight": "2", "required": "1"},
            {"key": "cost", "label": "費用", "max": "10", "weight": "1", "required": "0"}]
    assert post(operator, "rubric", _rows("criterion", rows), app).status_code == 302
    with in_tenant(app) as tenant:
        assert tenant.rule("review_rubric")[1] == {"key": "cost", "label": "費用", "max": 10, "weight": 1.0, "required": False}
    rows[1]["max"] = "101"
    response = post(operator, "rubric", _rows("criterion", rows), app)
    assert response.status_code == 400 and "2行目 満点: 1以上100以下の整数にしてください" in response.get_data(as_text=True)


def test_the_calendar_is_validated_by_the_schema_and_shows_next_years_dates(app, operator):
    with in_tenant(app) as tenant:
        calendar = dict(tenant.calendar)
    data = {f"{p}_{side}": window[i] for p, window in calendar.items() for i, side in enumerate(("start", "end"))}
    response = post(operator, "calendar", {**data, "applications_start": "+0-02-29"}, app)
    assert response.status_code == 400 and "2月29日は毎年は存在しない" in response.get_data(as_text=True)
    assert post(operator, "calendar", {**data, "applications_end": "+0-06-30"}, app).status_code == 302
    with in_tenant(app) as tenant:
        assert tenant.calendar["applications"][1] == "+0-06-30"
    page = operator.get(f"{BASE}/calendar").get_data(as_text=True)
    assert "6月30日" in page
    assert audits(app, "settings.calendar")


def test_a_save_from_an_older_version_is_a_conflict_not_a_lost_edit(app, operator):
    old = version(app)
    assert post(operator, "basic", BASIC, app).status_code == 302
    response = operator.post(f"{BASE}/basic", data={**BASIC, "office_name": "別の課", "version_id": old})
    assert response.status_code == 409
    with in_tenant(app) as tenant:
        assert tenant.office_name == "デジタル推進課"


def test_non_operators_get_404_and_anonymous_visitors_the_login(app, client, operator):
    paths = ["", "basic", "rules", "notices", "regions", "categories", "rubric", "calendar", "notifications",
             "notifications/calls.open", "tile-map", "tile-map.csv"]
    anonymous = app.test_client()
    assert all(anonymous.get(f"{BASE}/{p}").status_code == 302 for p in paths)
    municipal = app.test_client()
    login(municipal, "muni@example.jp")
    assert all(municipal.get(f"{BASE}/{p}").status_code == 404 for p in paths)
    before = tenant_state(app)
    assert municipal.post(f"{BASE}/basic", data={**BASIC, "version_id": version(app)}).status_code == 404
    assert tenant_state(app) == before


def test_one_tenants_save_leaves_another_untouched(app, operator):
    with app.app_context():
        other = ensure_imported(ROOT / "tenants" / "miyagi-sample")
        db.session.commit()
        with in_tenant(app, "miyagi-sample") as tenant:
            factories.user(tenant, Role.OPERATOR, "op@miyagi.example.jp", factories.office())
            db.session.commit()
        other_name = other.office_name
    assert post(operator, "basic", BASIC, app).status_code == 302
    miyagi = app.test_client()
    login(miyagi, "op@miyagi.example.jp", slug="miyagi-sample")
    assert miyagi.get(f"{BASE}/basic").status_code in (302, 404)  # not a Fukushima member
    with app.app_context():
        assert db.session.scalar(sa.select(Tenant.office_name).where(Tenant.slug == "miyagi-sample")) == other_name


def test_the_index_links_every_section_including_those_of_other_domains(app, operator):
    page = operator.get(f"{BASE}/").get_data(as_text=True)
    for label in ("基本情報", "事業ルール", "地域・エリア", "DX分類", "審査基準", "年間スケジュール", "通知文", "タイル地図",
                  "事後アンケート", "DX課題把握アンケート", "団体"):
        assert label in page
    assert "/settings/survey" in page and "/settings/needs-survey" in page and "/organisations/" in page


def test_notice_timings_are_saved_and_a_bad_one_names_the_field(app, operator):
    from app.notifications.timings import LIMITS, tenant_timings

    data = {key: "7" for key in LIMITS}
    assert post(operator, "notices", {**data, "call_closing_days_before": "3"}, app).status_code == 302
    with in_tenant(app) as tenant:
        assert tenant_timings(tenant).call_closing_days_before == 3
    response = post(operator, "notices", {**data, "report_overdue_every_days": "0"}, app)
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "1以上60以下の整数にしてください" in page and 'href="#report_overdue_every_days"' in page
    [event] = audits(app, "settings.notices")
    assert event.changes["call_closing_days_before"] == {"before": 7, "after": 3}


def test_the_navigation_offers_the_settings_to_operators_only(app, operator):
    assert 'href="/t/fukushima/settings/"' in operator.get("/t/fukushima/").get_data(as_text=True)
    municipal = app.test_client()
    login(municipal, "muni@example.jp")
    assert "/settings/" not in municipal.get("/t/fukushima/").get_data(as_text=True)
