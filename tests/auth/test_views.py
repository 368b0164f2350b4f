import sqlalchemy as sa

from app.auth.models import Role
from app.core.audit import AuditEvent
from app.extensions import db
from tests import factories
from tests.conftest import in_tenant, login


def _users(app):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()


def test_wrong_password_gets_a_generic_message_and_is_audited(app, client):
    _users(app)
    for email in ("op@example.jp", "nobody@example.jp"):
        response = client.post("/t/fukushima/login", data={"email": email, "password": "wrong-password"})
        assert response.status_code == 400
        assert "メールアドレスまたはパスワードが正しくありません" in response.get_data(as_text=True)
    with in_tenant(app):
        actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert actions.count("auth.login_failed") == 2


def test_login_is_per_tenant(app, client):
    _users(app)
    from app.tenancy.models import Tenant

    with app.app_context():
        db.session.add(Tenant(slug="other", name="別事業", prefecture="サンプル県", office_name="課"))
        db.session.commit()
    response = client.post("/t/other/login", data={"email": "op@example.jp", "password": factories.PASSWORD})
    assert response.status_code == 400
    login(client, "op@example.jp")
    assert client.get("/t/other/").status_code == 200
    assert "ログアウト" not in client.get("/t/other/").get_data(as_text=True)  # not logged in there


def test_logout_is_post_only_and_ends_the_session(app, client):
    _users(app)
    login(client, "op@example.jp")
    assert client.get("/t/fukushima/logout").status_code == 405
    client.post("/t/fukushima/logout")
    assert client.get("/t/fukushima/calls").status_code == 302


def test_platform_admin_sees_tenants_not_tenant_pages(app, client):
    from app.auth.services import create_user

    with app.app_context():
        create_user(tenant_id=None, email="admin@example.jp", display_name="管理者", role=Role.PLATFORM_ADMIN,
                    password=factories.PASSWORD)
        db.session.commit()
    response = client.post("/admin/login", data={"email": "admin@example.jp", "password": factories.PASSWORD})
    assert response.headers["Location"] == "/admin/"
    assert "fukushima" in client.get("/admin/").get_data(as_text=True)
    assert client.get("/t/fukushima/calls").status_code == 302  # no tenant session
