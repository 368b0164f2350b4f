"""A new prefecture goes live from an empty database, in a real browser, with nobody editing files
on the server (issue 13): `flask platform-admin create` → the platform admin creates 「サンプル県」
and invites its first operator → the operator sets the program up in 事業設定 (rules, DX分類, the
事後アンケート), imports 3 municipalities from Excel, registers 2 providers and a 商工会, opens the
fiscal year → the admin opens the tenant → an invited municipal user sends a 派遣依頼.

Every organisation and person here is fictional; municipality codes start with 99, which no
prefecture has. Screenshots go to test-artifacts/e2e/ (docs/operations.md uses them)."""
from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.notifications.models import Notification
from app.notifications.sealing import unseal
from app.tenancy.scoping import SYSTEM, tenant_scope
from tests.e2e.conftest import Actor

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
SLUG = "sample-ken"
ADMIN = ("admin@pref.example", "kenchou-kanri-2026-pass")
OPERATOR = ("tanto@sample-ken.example", "momiji-kaede-ichou-2026")
MUNICIPAL = ("dx@sample-higashi.example", "sakura-tsubaki-ume-2026")
# (code with check digit, name, kana, 市町村区分)
MUNICIPALITIES = [("991015", "サンプル東町", "さんぷるひがしまち", "町"),
                  ("991023", "サンプル西村", "さんぷるにしむら", "村"),
                  ("991031", "サンプル南市", "さんぷるみなみし", "市")]


@pytest.fixture
def live_server(empty_app):
    """The empty installation served on 127.0.0.1 (the e2e conftest's server, on `empty_app`)."""
    from tests.e2e.conftest import serve

    yield from serve(empty_app)


def _files_under_tenants() -> dict[str, float]:
    return {str(p): p.stat().st_mtime for p in (ROOT / "tenants").rglob("*")}


def _mailed_link(app, email: str) -> str:
    """The local path of the newest invitation mailed to `email` (the outbox keeps it sealed)."""
    with app.app_context(), tenant_scope(SYSTEM):
        row = db.session.scalars(sa.select(Notification).where(Notification.email == email,
                                                               Notification.kind == "accounts.invite")
                                 .order_by(Notification.id.desc())).first()
        return re.sub(r"^https?://[^/]+", "", unseal(row.sealed_link))


def _accept(actor: Actor, path: str, password: str) -> None:
    page = actor.go(path)
    page.fill("input[name=password]", password)
    page.fill("input[name=confirm]", password)
    page.get_by_role("button", name="パスワードを設定する").click()
    page.wait_for_load_state()
    assert "パスワードを設定しました" in page.inner_text("body"), page.inner_text("main")


def _save(page, button: str = "保存する") -> str:
    page.get_by_role("button", name=button).first.click()
    page.wait_for_load_state()
    return page.inner_text("main")


def _admin_creates_the_tenant(admin: Actor) -> None:
    page = admin.go("/admin/login")
    page.get_by_label("メールアドレス").fill(ADMIN[0])
    page.get_by_label("パスワード").fill(ADMIN[1])
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_load_state()
    page = admin.go("/admin/tenants/new")
    page.get_by_label("識別子（URL）").fill(SLUG)
    page.get_by_label("都道府県名").fill("サンプル県")
    page.get_by_label("事業名").fill("ICTアドバイザー派遣事業（サンプル）")
    page.get_by_label("担当課").fill("デジタル推進課")
    page.get_by_role("button", name="作成する").click()
    page.wait_for_load_state()
    assert "準備中" in page.inner_text("main")
    admin.shot("admin-tenant-created")
    page.get_by_role("link", name="事業担当者を招待する").click()
    page.get_by_label("メールアドレス").fill(OPERATOR[0])
    page.get_by_label("氏名").fill("サンプル 県担当")
    admin.shot("admin-invite")
    page.get_by_role("button", name="招待メールを送る").click()
    page.wait_for_load_state()


def _operator_sets_the_rules(operator: Actor) -> None:
    page = operator.go(f"/t/{SLUG}/settings/")
    operator.shot("settings-index")
    page = operator.go(f"/t/{SLUG}/settings/basic")
    page.get_by_label("支援する側の呼び方（会員企業・ICTエキスパート など）").fill("登録専門家")
    page.get_by_label("電話番号（任意）").fill("000-0000-0000")
    assert "保存しました" in _save(page)
    page = operator.go(f"/t/{SLUG}/settings/rules")
    page.get_by_label("募集の形").select_option("continuous")
    page.get_by_label("商工会", exact=True).check()
    page.get_by_label("支援の提供のしかた").select_option("expert_themes")
    page.get_by_label("1団体あたりの年間派遣回数の上限（空欄: 上限なし）").fill("5")
    operator.shot("settings-rules")
    assert "保存しました" in _save(page)
    page = operator.go(f"/t/{SLUG}/settings/categories")
    page.locator("input[name$=code]").first.fill("RPA")
    page.locator("input[name$=label]").first.fill("RPA・業務自動化")
    assert "保存しました" in _save(page)


def _operator_imports_municipalities(operator: Actor, tmp_path: Path) -> None:
    template = operator.context.request.get(operator.base_url + f"/t/{SLUG}/imports/template?kind=municipalities")
    assert template.ok
    workbook = openpyxl.load_workbook(io.BytesIO(template.body()))
    sheet = workbook["市町村"]
    headers = [c.value for c in sheet[1]]
    for code, name, kana, kind in MUNICIPALITIES:
        row = {"市町村コード": code, "市町村名": name, "よみがな": kana, "市町村区分": kind}
        sheet.append([row.get(h) for h in headers])
    upload = tmp_path / "municipalities.xlsx"
    workbook.save(upload)
    page = operator.go(f"/t/{SLUG}/imports?kind=municipalities")
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="アップロードして内容を確認").click()
    page.wait_for_load_state()
    assert re.search(r"新規\s*3", page.inner_text("main"))
    operator.shot("import-preview")
    page.get_by_role("button", name="取り込む").click()
    page.wait_for_load_state()
    page = operator.go(f"/t/{SLUG}/organisations/?kind=municipality")
    assert all(name in page.inner_text("main") for _code, name, _kana, _kind in MUNICIPALITIES)


def _operator_registers_organisations(operator: Actor) -> None:
    for name in ("サンプル情報システム株式会社", "サンプルDX研究所"):
        page = operator.go(f"/t/{SLUG}/organisations/new?kind=provider")
        page.locator("input[name=name]").fill(name)
        page.locator("input[name='themes-0-title']").fill(f"RPA導入の伴走（{name}）")
        page.locator("input[name='themes-0-categories'][value=RPA]").check()
        page.locator("select[name='themes-0-format']").select_option("online")
        _save(page, "登録する")
        assert name in page.inner_text("main")
    operator.shot("organisations-provider")
    page = operator.go(f"/t/{SLUG}/organisations/new?kind=chamber_of_commerce")
    page.locator("input[name=name]").fill("サンプル町商工会")
    _save(page, "登録する")
    page = operator.go(f"/t/{SLUG}/organisations/?kind=chamber_of_commerce")
    assert "サンプル町商工会" in page.inner_text("main")


def _operator_edits_the_survey(operator: Actor) -> None:
    page = operator.go(f"/t/{SLUG}/settings/survey")
    page.get_by_role("button", name="事後アンケートを作成する").click()
    page.wait_for_load_state()
    page.get_by_role("link", name=re.compile("^編集")).first.click()
    page.wait_for_load_state()
    page.get_by_label("設問文").fill("派遣を受けて、庁内の課題解決につながりましたか。")
    _save(page)
    page = operator.go(f"/t/{SLUG}/settings/survey")
    assert "庁内の課題解決につながりましたか" in page.inner_text("main")
    operator.shot("settings-survey")


def _operator_opens_the_year(operator: Actor) -> None:
    page = operator.go(f"/t/{SLUG}/calls")
    page.get_by_label("年度（西暦の開始年）").fill("2026")
    page.get_by_label("予算額（千円）").fill("0")
    page.get_by_role("button", name="募集を作成").click()
    page.wait_for_load_state()
    operator.shot("call-opened")


def _operator_invites_a_municipal_user(operator: Actor) -> None:
    page = operator.go(f"/t/{SLUG}/users/invite")
    page.get_by_label("役割").select_option("municipal")
    option = page.locator("select[name=organisation] option", has_text=MUNICIPALITIES[0][1]).first
    page.get_by_label("所属組織").select_option(option.get_attribute("value"))
    page.get_by_label("メールアドレス").fill(MUNICIPAL[0])
    page.get_by_label("氏名").fill("サンプル 町担当")
    page.get_by_role("button", name=re.compile("招待")).click()
    page.wait_for_load_state()


def _municipality_requests(municipal: Actor) -> None:
    page = municipal.go(f"/t/{SLUG}/requests/new")
    page.locator("select[name=choice_1]").select_option(index=1)
    page.locator("textarea[name=issue]").fill("窓口業務の集計作業をRPAで自動化したい（サンプル）")
    page.locator("[name=goal]").fill("担当職員3名の作業時間を半減")
    page.locator("[name=desired_timing]").fill("10月中旬")
    page.locator("[name=contact_name]").fill("サンプル 町担当")
    page.locator("[name=contact_email]").fill(MUNICIPAL[0])
    page.locator("[name=contact_phone]").fill("000-0000-0001")
    municipal.shot("request-form")
    page.get_by_role("button", name="依頼する").click()
    page.wait_for_load_state()
    municipal.shot("request-sent")


def test_a_new_prefecture_goes_live_from_an_empty_database(empty_app, live_server, browser, tmp_path):
    before = _files_under_tenants()
    created = empty_app.test_cli_runner().invoke(args=["platform-admin", "create", ADMIN[0]], input=ADMIN[1] + "\n")
    assert created.exit_code == 0, created.output

    admin = Actor(browser, live_server, "golive-admin")
    _admin_creates_the_tenant(admin)
    operator = Actor(browser, live_server, "golive-operator")
    _accept(operator, _mailed_link(empty_app, OPERATOR[0]), OPERATOR[1])
    operator.login(*OPERATOR, slug=SLUG)
    _operator_sets_the_rules(operator)
    _operator_imports_municipalities(operator, tmp_path)
    _operator_registers_organisations(operator)
    _operator_edits_the_survey(operator)
    _operator_opens_the_year(operator)
    _operator_invites_a_municipal_user(operator)

    page = admin.go(f"/admin/")
    admin.page.get_by_role("link", name=re.compile("サンプル県")).click()
    admin.page.get_by_role("button", name="公開する").click()
    admin.page.wait_for_load_state()
    assert "公開中" in admin.page.inner_text("main")

    municipal = Actor(browser, live_server, "golive-municipal")
    _accept(municipal, _mailed_link(empty_app, MUNICIPAL[0]), MUNICIPAL[1])
    municipal.login(*MUNICIPAL, slug=SLUG)
    _municipality_requests(municipal)
    assert "依頼" in municipal.page.inner_text("main")

    with empty_app.app_context(), tenant_scope(SYSTEM):
        from app.applications.models import Application

        [request] = db.session.scalars(sa.select(Application)).all()
        assert request.municipality.name == MUNICIPALITIES[0][1] and request.submitted_at is not None
        assert request.choices[0].menu_item.title.startswith("RPA導入の伴走")
    assert _files_under_tenants() == before  # nothing written under tenants/
