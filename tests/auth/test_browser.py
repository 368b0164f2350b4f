"""In a real browser (CSP enforced): the idle warning banner appears and 「ログインを延長」 reaches the
server; the TOTP enrolment page shows its QR code. Screenshots go to test-artifacts/e2e/."""
import pyotp

from tests.auth.conftest import T
from tests.e2e.conftest import Actor, browser, live_server  # noqa: F401 (fixtures)
from tests.factories import PASSWORD


def test_idle_banner_shows_and_extends_the_session(users, browser, live_server):  # noqa: F811
    users.config.update(SESSION_IDLE_MINUTES=1, SESSION_WARNING_MINUTES=1)  # warn at once
    actor = Actor(browser, live_server, "auth-idle")
    problems = []
    actor.page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    actor.login("op@example.jp", PASSWORD)
    page = actor.go(f"{T}/calls")
    banner = page.locator("#session-timeout")
    banner.wait_for(state="visible", timeout=5000)
    assert "まもなく自動的にログアウト" in banner.inner_text()
    actor.shot("idle-warning")
    with page.expect_response(lambda r: r.url.endswith("/session/keepalive")) as answer:
        page.get_by_role("button", name="ログインを延長").click()
    assert answer.value.status == 200
    assert problems == []  # no CSP violation, no script error


def test_enrolment_page_shows_a_qr_code_and_enrols(users, browser, live_server):  # noqa: F811
    users.config["MFA_REQUIRED_ROLES"] = ("operator",)
    actor = Actor(browser, live_server, "auth-mfa")
    page = actor.login("op@example.jp", PASSWORD)
    assert page.url.endswith(f"{T}/account/mfa")
    qr = page.get_by_alt_text("2段階認証の設定用QRコード")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
    actor.shot("mfa-enrol")
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("認証アプリに表示された6桁の確認コード").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="設定する").click()
    assert page.locator(".code-list li").count() == 10
    actor.shot("mfa-recovery-codes")
