"""No usable secret at rest (issue 14 §2): invitation and reset links are in no database row and in
no `flask backup` file; the mail still carries them; 送信メール shows them only in development.

The finding: a reset link read from `notifications.body` took over an account.
"""
import os
import stat
import subprocess

import sqlalchemy as sa

from app.core.clock import now_utc
from app.extensions import db
from app.notifications.delivery import deliver_outbox
from app.notifications.models import Notification
from app.notifications.sender import StoreSender
from app.notifications.states import NotificationState
from app.ops.backup import backend
from tests.accounts.conftest import T, mails_to
from tests.accounts.test_invitations import _invite
from tests.conftest import in_tenant, login


class Capture(StoreSender):
    """Keeps the messages it was given (the text that would go out by SMTP)."""

    def __init__(self):
        self.messages = []

    def send(self, message):
        self.messages.append(message)


def _links(people):
    """Queue an invitation (new@) and a reset (muni@); returns [(row id, token, link)]."""
    client = people.test_client()
    login(client, "op@example.jp")
    assert _invite(people, client).status_code == 302
    assert people.test_client().post(f"{T}/password/forgot", data={"email": "muni@example.jp"}).status_code == 302
    rows = mails_to(people, "new@example.jp", "accounts.invite") + mails_to(people, "muni@example.jp", "accounts.reset")
    return [(row.id, row.sent_link.rsplit("/", 1)[1], row.sent_link) for row in rows]


def _every_value(url: str) -> str:
    """Every cell of every table of the database at `url`, as text."""
    engine = sa.create_engine(url)
    try:
        metadata = sa.MetaData()
        metadata.reflect(engine)
        with engine.connect() as conn:
            return "\n".join(repr(tuple(row)) for table in metadata.tables.values() for row in conn.execute(sa.select(table)))
    finally:
        engine.dispose()


def _backup_text(path, url: str) -> str:
    """The backup's content as text: a SQLite file as is, a pg_dump archive decoded by pg_restore
    (its data is compressed: searching the raw bytes would prove nothing)."""
    if backend(url) == "sqlite":
        return path.read_bytes().decode("utf-8", "replace")
    return subprocess.run(["pg_restore", "--file=-", str(path)], check=True, capture_output=True).stdout.decode("utf-8", "replace")


def test_no_link_or_token_in_the_database_or_a_backup_but_the_mail_has_it(people, tmp_path):
    links = _links(people)
    assert len(links) == 2
    url = people.config["SQLALCHEMY_DATABASE_URI"]
    everything = _every_value(url)
    path = tmp_path / "backups" / "nightly.backup"
    result = people.test_cli_runner().invoke(args=["backup", str(path)])
    assert result.exit_code == 0, result.output
    backup = _backup_text(path, url)
    assert "accounts.reset" in backup and "［パスワード設定用のリンク" in backup  # the rows are there, sealed
    for _id, token, link in links:
        assert len(token) >= 40
        assert token not in everything and link not in everything
        assert token not in backup and link not in backup

    sender = Capture()
    with in_tenant(people) as tenant:
        assert deliver_outbox(tenant, now=now_utc(), sender=sender).sent >= 2
    mailed = "\n".join(m.get_content() for m in sender.messages)
    for _id, token, link in links:
        assert link in mailed
    assert token not in _every_value(url)  # sending does not write it back either


def test_backups_are_readable_by_their_owner_only(people, tmp_path):
    path = tmp_path / "b.backup"
    path.write_bytes(b"old")
    os.chmod(path, 0o644)  # an older, world-readable backup being overwritten
    assert people.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and path.stat().st_size > 3
    fresh = tmp_path / "new" / "c.backup"
    assert people.test_cli_runner().invoke(args=["backup", str(fresh)]).exit_code == 0
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600


def test_the_outbox_page_shows_live_links_in_development_only(people):
    links = _links(people)
    operator = people.test_client()
    login(operator, "op2@example.jp")
    page = operator.get(f"{T}/outbox").get_data(as_text=True)
    assert all(link in page for _id, _token, link in links)  # development + store: the only way to follow them
    people.config["APP_ENV"] = "production"  # production, even with the store backend
    page = operator.get(f"{T}/outbox").get_data(as_text=True)
    assert "パスワード設定用のリンクが含まれるため、表示しません" in page
    assert not any(token in page for _id, token, _link in links)


def test_a_link_sealed_under_a_lost_key_fails_clearly_and_a_fallback_key_opens_it(people):
    links = _links(people)
    old_key = people.config["SECRET_KEY"]
    people.config["SECRET_KEY"] = "rotated-" + "r" * 40
    with in_tenant(people) as tenant:
        now = now_utc()
        sender = Capture()
        result = deliver_outbox(tenant, now=now, sender=sender, limit=1)
        assert (result.sent, result.failed, sender.messages) == (0, 1, [])
        failed = db.session.get(Notification, links[0][0])
        assert failed.state == NotificationState.FAILED and "SECRET_KEY" in failed.last_error
        people.config["SECRET_KEY_FALLBACKS"] = [old_key]
        assert deliver_outbox(tenant, now=now, sender=sender).sent == 1
        assert links[1][2] in sender.messages[0].get_content()
