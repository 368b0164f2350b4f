"""Platform admin access to a tenant's data (/admin/tenants/<id>): a summary for platform admins
only, and every view is audited under that tenant so its operators see it on their 監査ログ."""
import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.services import create_user
from app.core.audit import AuditEvent
from app.extensions import db
from app.tenancy.models import Tenant
from tests import factories
from tests.applications.builders import call_with_menu
from tests.audit.helpers import events, other_tenant
from tests.conftest import in_tenant, login


@pytest.fixture
def tenants(app):
    """Fukushima with an operator, a deactivated reviewer and a call; a second tenant; a platform admin."""
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        rev = factories.user(tenant, Role.REVIEWER, "rev@example.jp")
        rev.is_active_account = False
        call_with_menu(tenant)
        other = other_tenant()
        create_user(tenant_id=None, email="admin@example.jp", display_name="基盤 管理者", role=Role.PLATFORM_ADMIN,
                    password=factories.PASSWORD)
        db.session.commit()
        return {"fukushima": tenant.id, "other": other.id}


def _admin(client):
    response = client.post("/admin/login", data={"email": "admin@example.jp", "password": factories.PASSWORD})
    assert response.status_code == 302


def test_platform_admin_sees_the_summary_and_the_view_is_audited_under_that_tenant(app, client, tenants):
    _admin(client)
    assert f'href="/admin/tenants/{tenants["fukushima"]}"' in client.get("/admin/").get_data(as_text=True)
    response = client.get(f"/admin/tenants/{tenants['fukushima']}", headers={"X-Request-Id": "admin-look-1"},
                          environ_base={"REMOTE_ADDR": "198.51.100.20"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "ICTアドバイザー市町村派遣事業" in page
    assert "<td>審査員</td><td>0</td><td>1</td>" in page and "<td>事業担当（県）</td><td>1</td><td>1</td>" in page
    assert "<td>市町村</td><td>59</td>" in page and "募集（1 件）" in page
    assert "ユーザー作成" in page  # the newest audit events of the tenant
    with app.app_context():
        admin = db.session.scalar(sa.select(User).where(User.email == "admin@example.jp"))
        [event] = events(AuditEvent.action == "admin.tenant_view")
        assert (event.tenant_id, event.actor_id, event.actor_role) == (tenants["fukushima"], admin.id, "platform_admin")
        assert (event.target_type, event.target_id) == ("tenants", tenants["fukushima"])
        assert (event.request_id, event.ip) == ("admin-look-1", "198.51.100.20")
    client.get(f"/admin/tenants/{tenants['other']}")
    with app.app_context():
        assert [e.tenant_id for e in events(AuditEvent.action == "admin.tenant_view")] == [tenants["fukushima"], tenants["other"]]


def test_the_tenants_operator_sees_the_admin_access_on_the_audit_page(app, client, tenants):
    _admin(client)
    client.get(f"/admin/tenants/{tenants['fukushima']}")
    client.get(f"/admin/tenants/{tenants['other']}")
    operator = app.test_client()
    login(operator, "op@example.jp")
    page = operator.get("/t/fukushima/audit", query_string={"action": "admin.tenant_view"}).get_data(as_text=True)
    body = page.split("<tbody>", 1)[1]
    assert body.count("システム管理者による事業データの閲覧") == 1  # Fukushima's view only, not the other tenant's
    assert "基盤 管理者" in body and "システム管理者" in body and "事業 #" in body


@pytest.mark.parametrize("who", ["anonymous", "operator"])
def test_only_platform_admins_reach_it(app, client, tenants, who):
    if who == "operator":
        login(client, "op@example.jp")
    response = client.get(f"/admin/tenants/{tenants['fukushima']}")
    assert response.status_code == (302 if who == "anonymous" else 404)
    if who == "anonymous":
        assert "/admin/login" in response.headers["Location"]
    with app.app_context():
        assert events(AuditEvent.action == "admin.tenant_view") == []


def test_unknown_tenant_is_404_and_not_audited(app, client, tenants):
    _admin(client)
    with app.app_context():
        missing = (db.session.scalar(sa.select(sa.func.max(Tenant.id))) or 0) + 1
    assert client.get(f"/admin/tenants/{missing}").status_code == 404
    assert client.get("/admin/tenants/99999999999999999999").status_code == 404  # beyond INTEGER: no 500
    with app.app_context():
        assert events(AuditEvent.action == "admin.tenant_view") == []
