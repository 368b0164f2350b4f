"""Migration s14_secure_defaults removes the clear invitation / reset links already in the outbox
(issue 14 §2): sent ones keep their text without the link, unsent ones are failed with a note to
send again (they cannot be sealed in a migration: the key is not in the database)."""
import datetime as dt

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app.auth.models import Role
from app.extensions import db
from tests import factories
from tests.conftest import ROOT, in_tenant

LINK = "https://ict.example.jp/t/fukushima/invitations/" + "T0k3n" * 9


def test_clear_links_are_scrubbed_and_unsent_ones_failed(app):
    with in_tenant(app) as tenant:
        user = factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", organisation=factories.municipality("072010"))
        db.session.commit()
        tenant_id, user_id = tenant.id, user.id
    migrations = str(ROOT / "migrations")
    with app.app_context():
        downgrade(directory=migrations, revision="o3_audit_append_only")
        table = sa.Table("notifications", sa.MetaData(), autoload_with=db.engine)
        now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        with db.engine.begin() as conn:
            for state, kind in (("sent", "accounts.invite"), ("queued", "accounts.reset"), ("queued", "calls.open")):
                row = {"tenant_id": tenant_id, "user_id": user_id, "kind": kind, "email": "muni@example.jp",
                       "subject": "件名", "body": f"本文\n{LINK}\n以上", "link": LINK, "state": state,
                       "attempts": 0, "last_error": "", "created_at": now, "updated_at": now}
                conn.execute(table.insert().values({k: v for k, v in row.items() if k in table.c}))
        upgrade(directory=migrations, revision="heads")
        with db.engine.connect() as conn:
            rows = {r.kind: r for r in conn.execute(sa.text("SELECT kind, body, link, state, last_error FROM notifications"))}
        db.session.remove()
    for kind in ("accounts.invite", "accounts.reset"):
        assert LINK not in rows[kind].body and rows[kind].link == "" and "［パスワード設定用のリンク" in rows[kind].body
    assert rows["accounts.invite"].state == "sent"
    assert rows["accounts.reset"].state == "failed" and "もう一度" in rows["accounts.reset"].last_error
    assert rows["calls.open"].link == LINK and rows["calls.open"].state == "queued"  # plain links stay
