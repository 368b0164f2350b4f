"""`flask platform-admin create EMAIL`: the password comes from a prompt or from standard input,
never from the command line, and follows the rules of the web forms."""
from __future__ import annotations

import sqlalchemy as sa

from app.auth.models import Role, User
from app.core.audit import AuditEvent
from app.extensions import db

STRONG = "会津の山は高く2024"


def _create(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["platform-admin", "create", *args], input=input)


def _admins(app) -> list[User]:
    with app.app_context():
        rows = db.session.scalars(sa.select(User).where(User.role == Role.PLATFORM_ADMIN)).all()
        db.session.expunge_all()
        return list(rows)


def test_password_from_stdin_creates_an_admin_who_can_log_in_and_it_is_audited(app, client):
    result = _create(app, "Root@Example.jp", "--name", "基盤 太郎", input=STRONG + "\n")
    assert result.exit_code == 0, result.output
    assert STRONG not in result.output
    [admin] = _admins(app)
    assert admin.email == "root@example.jp" and admin.display_name == "基盤 太郎" and admin.tenant_id is None
    response = client.post("/admin/login", data={"email": "root@example.jp", "password": STRONG})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")
    with app.app_context():
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "admin.platform_admin_create"))
        assert event.target_id == admin.id and event.tenant_id is None


def test_a_weak_password_is_refused_with_the_rules_of_the_web_form(app):
    for weak in ("short1", "password123", "root@example.jp"):
        result = _create(app, "root@example.jp", input=weak + "\n")
        assert result.exit_code != 0
        assert "パスワード" in result.output
    assert _admins(app) == []


def test_an_existing_email_is_refused_before_a_password_is_read(app):
    assert _create(app, "root@example.jp", input=STRONG + "\n").exit_code == 0
    result = _create(app, "ROOT@example.jp", input="")
    assert result.exit_code != 0 and "既に登録されています" in result.output
    assert len(_admins(app)) == 1


def test_a_terminal_gets_a_hidden_prompt_with_confirmation(app, monkeypatch):
    from app.admin import cli

    monkeypatch.setattr(cli, "_stdin_is_terminal", lambda: True)
    mismatch = _create(app, "root@example.jp", input=f"{STRONG}\nsomething-else-entirely\n{STRONG}\n{STRONG}\n")
    assert mismatch.exit_code == 0, mismatch.output
    assert STRONG not in mismatch.output  # hidden input is not echoed
    assert len(_admins(app)) == 1


def test_there_is_no_password_option(app):
    result = _create(app, "root@example.jp", "--password", STRONG)
    assert result.exit_code != 0 and "No such option" in result.output
    assert _admins(app) == []


def test_a_malformed_email_is_refused(app):
    result = _create(app, "not-an-address", input=STRONG + "\n")
    assert result.exit_code != 0 and "メールアドレス" in result.output
