"""`flask platform-admin create EMAIL`: the first platform admin of an empty installation.

The password never comes from the command line (it would stay in the shell history and in `ps`):
from a hidden, confirmed prompt when standard input is a terminal, otherwise from the first line of
standard input (`printf '%s\\n' "$PW" | flask platform-admin create a@example.jp`).
"""
from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from app.extensions import db

platform_admin_cli = AppGroup("platform-admin", help="Platform admins (システム管理者).")


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _read_password() -> str:
    if _stdin_is_terminal():
        return click.prompt("パスワード", hide_input=True, confirmation_prompt="パスワード（確認）")
    return sys.stdin.readline().rstrip("\r\n")  # one line; the newline is not part of the password


@platform_admin_cli.command("create")
@click.argument("email")
@click.option("--name", "display_name", default="システム管理者", show_default=True, help="Display name (氏名).")
def create_command(email: str, display_name: str) -> None:
    """Create a platform admin EMAIL; the password is prompted for (or read from stdin)."""
    from app.admin.services import PlatformAdminError, create_platform_admin
    from app.auth.queries import find_user_for_login

    if find_user_for_login(None, email) is not None:  # say so before asking for a password
        raise click.ClickException(f"メールアドレス {email.strip().lower()} のシステム管理者は既に登録されています。")
    password = _read_password()
    try:
        user = create_platform_admin(email, password, display_name=display_name)
    except PlatformAdminError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"システム管理者 {user.email} を作成しました。/admin/login からログインできます。")


def register_admin_cli(app) -> None:
    """Attach `flask platform-admin` to the app."""
    app.cli.add_command(platform_admin_cli)
