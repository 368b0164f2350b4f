"""Fixtures of the accounts tests: an operator and a municipal user, and outbox helpers."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.extensions import db
from app.notifications.models import Notification
from tests import factories
from tests.conftest import in_tenant

T = "/t/fukushima"


@pytest.fixture
def people(app):
    """operator op@ (and a second operator op2@), municipal muni@ (福島市), provider prov@ — password
    factories.PASSWORD."""
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp", name="県 担当")
        factories.user(tenant, Role.OPERATOR, "op2@example.jp", name="県 担当2")
        factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", organisation=factories.municipality("072010"), name="市 担当")
        factories.user(tenant, Role.PROVIDER, "prov@example.jp", organisation=factories.provider(tenant), name="企業 担当")
        db.session.commit()
    return app


def user_named(email: str) -> User:
    """The Fukushima user with `email` (inside `in_tenant`)."""
    return db.session.scalar(sa.select(User).where(User.email == email))


def mails_to(app, email: str, kind: str) -> list[Notification]:
    """Outbox rows of template `kind` to `email`, oldest first; each also carries `sent_body`, the
    text the outbox job mails (the sealed link opened, app/notifications/sealing.py), and
    `sent_link`, the link in it."""
    from app.notifications.sealing import mail_body, unseal

    with in_tenant(app):
        rows = db.session.scalars(sa.select(Notification).where(Notification.email == email, Notification.kind == kind)
                                  .order_by(Notification.id)).all()
        for row in rows:
            row.sent_body = mail_body(row)
            row.sent_link = unseal(row.sealed_link) if row.sealed_link else row.link
        db.session.expunge_all()
        return list(rows)


def link_path(notification: Notification) -> str:
    """The local path of the link in a mail (the mailed body holds the same absolute URL; the
    stored body and `link` hold none of it)."""
    assert notification.sent_link and notification.sent_link in notification.sent_body
    assert notification.sent_link not in notification.body and not notification.link
    return urlsplit(notification.sent_link).path
