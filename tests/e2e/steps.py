"""Delivery steps of the browser tests, from the kickoff to the published case in the library and
the printable 事例集 (issue 4 "Done when"): each step is one person's actions in their own browser
context (`Actor`; the provider's on a phone-sized screen, `PhoneActor`)."""
import re

from tests.e2e.conftest import ARTIFACTS, Actor

PHONE = {"width": 390, "height": 844}
GOAL = "窓口手続のオンライン化方針を決める"
CONTENT = "申請件数の多い手続を洗い出し、オンライン化の優先順位を協議した。"


def tiny_pdf() -> bytes:
    """A one-page PDF with a correct cross-reference table (so it is valid, not just a magic number)."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>"]
    body, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    body += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return body + b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)


class PhoneActor(Actor):
    """An Actor on a phone-sized touch screen (390×844)."""

    def __init__(self, browser, base_url: str, name: str):
        self.context = browser.new_context(locale="ja-JP", viewport=PHONE, is_mobile=True, has_touch=True)
        self.page = self.context.new_page()
        self.base_url, self.name, self.shots = base_url, name, 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def assert_no_horizontal_scroll(self):
        width = self.page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{self.page.url} scrolls sideways ({width}px)"


def click(page, name, role="button"):
    """Click the button (or link) `name` and assert that no error message appeared."""
    page.get_by_role(role, name=name).click()
    page.wait_for_load_state()
    assert page.locator(".flash-error").count() == 0, page.locator(".flash-error").all_inner_texts()


def record_kickoff(provider, municipal, path):
    """The provider enters the kickoff (issues, goal, planned sessions); the municipality agrees."""
    page = provider.go(path)
    click(page, "キックオフを入力する", "link")
    page.get_by_label("市町村の課題").fill("窓口での申請手続に時間がかかっている")
    page.get_by_label("支援の目標").fill(GOAL)
    page.get_by_label("予定支援回数").fill("3")
    provider.assert_no_horizontal_scroll()
    click(page, "保存して市町村の合意を依頼")
    click(municipal.go(path), "この内容に合意する")


def log_session(provider, path):
    """The provider logs a session with every field and a PDF, then downloads it back."""
    page = provider.go(path)
    click(page, "支援実施記録を登録", "link")
    page.get_by_label("実施日").fill("2024-07-20")
    page.get_by_label("対面", exact=True).check()
    page.get_by_label("実施時間（時間）").fill("1.5")
    page.get_by_label("担当職員").fill("3")
    page.get_by_label("管理職").fill("1")
    page.get_by_label("DX推進計画・全体方針策定").check()
    page.get_by_label("支援内容").fill(CONTENT)
    page.get_by_label("解決策の提案件数").fill("2")
    page.get_by_label("提案の内容").fill("電子申請の対象手続を段階的に拡大する")
    page.get_by_label("次回までの取組・次のステップ").fill("対象手続の一覧を庁内で確認する")
    page.locator("#attachments").set_input_files(files=[
        {"name": "議事メモ.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()}])
    provider.assert_no_horizontal_scroll()
    provider.shot("session-form")
    click(page, "登録する")
    assert CONTENT in page.content()
    with page.expect_download() as download:
        page.get_by_role("link", name="議事メモ.pdf").click()
    assert download.value.path().read_bytes() == tiny_pdf()  # the file comes back as uploaded
    provider.assert_no_horizontal_scroll()
    provider.shot("session-logged")


def complete_and_report(provider, municipal, operator, path):
    """The municipality confirms the session; the provider completes and reports; the operator accepts."""
    click(municipal.go(path), "この記録を確認した")
    page = provider.go(path)
    click(page, re.compile("支援完了にする"))
    click(page, "実績報告を提出", "link")
    page.get_by_label("支援の概要").fill("オンライン化の対象手続と導入順序を決めた。")
    page.get_by_label("成果").fill("電子申請の対象を5手続に拡大する方針を決定した。")
    click(page, "提出する")
    provider.shot("report-submitted")
    page = operator.go(path)
    page.get_by_label("受理する").check()
    click(page, "決定する")
    assert "受理" in page.content()


def answer_survey(municipal, path):
    """The municipality answers the 事後アンケート: the support led to solving the problem."""
    page = municipal.go(path)
    click(page, "アンケートに回答する", "link")
    page.get_by_label("とてもつながった").check()
    page.locator("input[type=radio][name=satisfaction][value='5']").check()
    page.get_by_label("はい", exact=True).check()
    municipal.shot("survey")
    click(page, "回答を送信する")
    assert "回答済み" in page.content()


def draft_case(operator, path) -> str:
    """The operator drafts the case (filled from kickoff and sessions) and sends it; returns its path."""
    page = operator.go(path)
    click(page, "この案件から事例の下書きを作成")
    assert GOAL in page.get_by_label("ポイント").input_value()  # from the kickoff
    assert CONTENT in page.get_by_label("概要").input_value()  # from the session log
    operator.shot("case-draft")
    case_path = re.search(r"/t/fukushima/cases/\d+", page.url).group(0)
    click(operator.go(case_path), "市町村と会員企業の確認へ送る")
    return case_path


def approve_and_publish(municipal, provider, operator, case_path):
    """Both parties approve the case, then the operator publishes it."""
    for actor in (municipal, provider):
        page = actor.go(case_path)
        assert GOAL in page.content()
        actor.shot("case-approve")
        click(page, "この内容で承認する")
    page = operator.go(case_path)
    click(page, "事例集に公開する")
    assert "公開中" in page.content()


def visit_library(visitor):
    """An anonymous visitor finds the case by search, opens it and the year's printable 事例集."""
    page = visitor.go("/t/fukushima/cases")
    page.get_by_label("キーワード").fill("セキュリティポリシー")
    click(page, "検索・絞り込み")
    visitor.shot("library-search")
    click(page, re.compile("情報セキュリティポリシー見直しによる支援"), "link")
    assert CONTENT in page.content() and "福島県福島市" in page.content()
    visitor.shot("case-page")
    page = visitor.go("/t/fukushima/cases/booklet?fiscal_year=2024")
    assert "情報セキュリティポリシー見直しによる支援【福島県福島市】" in page.content()
    assert "「課題解決につながった」" in page.content() and "1件中1件（100%）" in page.content()
    visitor.shot("booklet")
