"""Platform administration of tenants (issue 13 §2): create (準備中), 公開・停止・再開・終了, invite
the first operator, who accepts the link and logs in to the 準備中 tenant. Every action audited
under the tenant; platform admins only."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.auth.models import Role, User
from app.auth.services import create_user
from app.core.audit import AuditEvent
from app.extensions import db
from app.notifications.models import Notification
from app.tenancy.models import Organisation, OrganisationKind, Tenant
from app.tenancy.scoping import tenant_scope
from app.tenancy.states import TenantStatus
from app.notifications.sealing import unseal
from tests import factories
from tests.conftest import in_tenant, login

NEW = {"slug": "sample-ken", "prefecture": "サンプル県", "name": "ICTアドバイザー派遣事業", "office_name": "デジタル推進課"}
OPERATOR_PASSWORD = "サンプル県の海は青い2025"


@pytest.fixture
def admin(app):
    """A logged-in platform admin client (plus a Fukushima operator op@ for the access checks)."""
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        create_user(tenant_id=None, email="admin@example.jp", display_name="基盤 管理者", role=Role.PLATFORM_ADMIN,
                    password=factories.PASSWORD)
        db.session.commit()
    client = app.test_client()
    assert client.post("/admin/login", data={"email": "admin@example.jp", "password": factories.PASSWORD}).status_code == 302
    return client


def _tenant(app, slug="sample-ken") -> Tenant | None:
    with app.app_context():
        row = db.session.scalar(sa.select(Tenant).where(Tenant.slug == slug))
        if row is not None:
            db.session.expunge(row)
        return row


def _events(app, tenant_id: int) -> list[tuple[str, dict]]:
    with app.app_context():
        return [(e.action, e.changes) for e in db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.tenant_id == tenant_id).order_by(AuditEvent.id))]


def _create(app, admin, **changes) -> Tenant:
    response = admin.post("/admin/tenants/new", data={**NEW, **changes})
    assert response.status_code == 302, response.get_data(as_text=True)
    return _tenant(app, changes.get("slug", NEW["slug"]))


def test_creating_a_tenant_starts_it_preparing_with_its_office_and_audits_it(app, admin):
    assert admin.get("/admin/tenants/new").status_code == 200
    tenant = _create(app, admin)
    assert tenant.status == TenantStatus.PREPARING
    assert (tenant.prefecture, tenant.name, tenant.office_name) == ("サンプル県", "ICTアドバイザー派遣事業", "デジタル推進課")
    with app.app_context(), tenant_scope(tenant.id):
        [office] = db.session.scalars(sa.select(Organisation).where(Organisation.tenant_id == tenant.id)).all()
        assert office.kind == OrganisationKind.OFFICE and office.name == "サンプル県 デジタル推進課"
    assert ("tenant.create", {**NEW, "status": "preparing"}) in _events(app, tenant.id)
    page = admin.get(f"/admin/tenants/{tenant.id}").get_data(as_text=True)
    assert "準備中" in page and "公開する" in page and "停止する" not in page
    # Not public: anonymous visitors get the 準備中 404, the root page does not list it.
    assert app.test_client().get("/t/sample-ken/").status_code == 404
    assert "サンプル県" not in app.test_client().get("/").get_data(as_text=True)


@pytest.mark.parametrize("field, value, message", [
    ("slug", "Sample_Ken", "識別子（URL）は半角英小文字"),
    ("slug", "-x", "識別子（URL）は半角英小文字"),
    ("slug", "fukushima", "識別子「fukushima」は既に使われています"),
    ("slug", "admin", "予約語"),
    ("prefecture", "  ", "都道府県名を入力してください"),
    ("name", "", "事業名を入力してください"),
    ("office_name", "", "担当課を入力してください"),
    ("name", "事" * 201, "事業名は200文字以内"),
])
def test_bad_input_is_refused_with_a_message_naming_the_field_and_nothing_is_written(app, admin, field, value, message):
    with app.app_context():
        before = db.session.scalar(sa.select(sa.func.count(Tenant.id)))
    response = admin.post("/admin/tenants/new", data={**NEW, field: value})
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and message in body and "入力内容に誤りがあります" in body
    if field != "slug":
        assert NEW["slug"] in body  # what was typed is kept
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Tenant.id))) == before


def test_only_platform_admins_reach_the_admin_pages(app, admin):
    tenant = _create(app, admin)
    operator = app.test_client()
    login(operator, "op@example.jp")
    assert operator.get("/admin/tenants/new").status_code == 404
    assert operator.post("/admin/tenants/new", data={**NEW, "slug": "x"}).status_code == 404
    assert operator.post(f"/admin/tenants/{tenant.id}/status/open").status_code == 404
    assert operator.post(f"/admin/tenants/{tenant.id}/invite", data={"email": "a@b.jp", "display_name": "x"}).status_code == 404
    guest = app.test_client()
    assert guest.post("/admin/tenants/new", data={**NEW, "slug": "y"}).status_code == 302  # to the admin login
    assert guest.post(f"/admin/tenants/{tenant.id}/status/open").status_code == 302
    assert _tenant(app).status == TenantStatus.PREPARING and _tenant(app, "x") is None and _tenant(app, "y") is None
    assert admin.post(f"/admin/tenants/{tenant.id}/status/nonsense").status_code == 404
    assert admin.post("/admin/tenants/999999/status/open").status_code == 404


def test_the_lifecycle_buttons_need_a_reason_to_close_and_are_audited_under_the_tenant(app, admin):
    tenant = _create(app, admin)
    base = f"/admin/tenants/{tenant.id}/status"
    assert admin.post(f"{base}/open").status_code == 302
    assert _tenant(app).status == TenantStatus.OPEN
    assert app.test_client().get("/t/sample-ken/").status_code == 200
    refused = admin.post(f"{base}/suspend", data={"reason": " "})
    assert refused.status_code == 400 and "理由を入力してください" in refused.get_data(as_text=True)
    assert _tenant(app).status == TenantStatus.OPEN
    assert admin.post(f"{base}/suspend", data={"reason": "契約更新の手続き中"}).status_code == 302
    assert _tenant(app).status == TenantStatus.SUSPENDED
    stopped = app.test_client().get("/t/sample-ken/")
    assert stopped.status_code == 503 and "サンプル県 デジタル推進課" in stopped.get_data(as_text=True)
    assert admin.post(f"{base}/open").status_code == 409  # 公開 is for 準備中; a 停止中 tenant is reopened
    assert admin.post(f"{base}/reopen").status_code == 302
    assert app.test_client().get("/t/sample-ken/").status_code == 200
    assert admin.post(f"{base}/archive", data={"reason": "事業終了"}).status_code == 302
    assert _tenant(app).status == TenantStatus.ARCHIVED
    for action in ("open", "reopen", "suspend", "archive"):  # 終了 is final
        assert admin.post(f"{base}/{action}", data={"reason": "x"}).status_code == 409
    assert "状態は変更できません" in admin.get(f"/admin/tenants/{tenant.id}").get_data(as_text=True)
    actions = [(a, c.get("status"), c.get("reason")) for a, c in _events(app, tenant.id) if a.startswith("tenant.")]
    assert actions == [("tenant.create", "preparing", None), ("tenant.open", ["preparing", "open"], ""),
                       ("tenant.suspend", ["open", "suspended"], "契約更新の手続き中"),
                       ("tenant.reopen", ["suspended", "open"], ""), ("tenant.archive", ["open", "archived"], "事業終了")]
    with app.app_context():
        actors = set(db.session.scalars(sa.select(AuditEvent.actor_role).where(
            AuditEvent.tenant_id == tenant.id, AuditEvent.action.like("tenant.%"))))
    assert actors == {"platform_admin"}


def test_the_first_operator_is_invited_accepts_the_link_and_works_in_the_preparing_tenant(app, admin):
    tenant = _create(app, admin)
    assert admin.get(f"/admin/tenants/{tenant.id}/invite").status_code == 200
    bad = admin.post(f"/admin/tenants/{tenant.id}/invite", data={"email": "not-mail", "display_name": "県 担当"})
    assert bad.status_code == 400 and "メールアドレスの形式が正しくありません" in bad.get_data(as_text=True)
    response = admin.post(f"/admin/tenants/{tenant.id}/invite", data={"email": "first@sample.example", "display_name": "県 担当"})
    assert response.status_code == 302
    again = admin.post(f"/admin/tenants/{tenant.id}/invite", data={"email": "first@sample.example", "display_name": "県 担当"})
    assert again.status_code == 400 and "既に登録されています" in again.get_data(as_text=True)
    with app.app_context(), tenant_scope(tenant.id):
        [mail] = db.session.scalars(sa.select(Notification).where(Notification.tenant_id == tenant.id)).all()
        user = db.session.scalar(sa.select(User).where(User.tenant_id == tenant.id))
        assert mail.kind == "accounts.invite" and mail.email == "first@sample.example"
        assert user.role == Role.OPERATOR and user.organisation.name == "サンプル県 デジタル推進課"
        assert not mail.link  # sealed in the outbox (app/notifications/sealing.py)
        link = urlsplit(unseal(mail.sealed_link)).path
    assert link.startswith("/t/sample-ken/invitations/")
    assert ("user.invite", {"email": "first@sample.example", "role": "operator", "organisation_id": user.organisation_id}) \
        in _events(app, tenant.id)
    operator = app.test_client()
    assert operator.get(link).status_code == 200
    accepted = operator.post(link, data={"password": OPERATOR_PASSWORD, "confirm": OPERATOR_PASSWORD})
    assert accepted.status_code == 302
    assert operator.post(link, data={"password": OPERATOR_PASSWORD, "confirm": OPERATOR_PASSWORD}).status_code == 410
    login(operator, "first@sample.example", OPERATOR_PASSWORD, slug="sample-ken")
    assert operator.get("/t/sample-ken/").status_code == 200
    assert operator.get("/t/sample-ken/calls").status_code == 200
    assert app.test_client().get("/t/sample-ken/").status_code == 404  # still not public


def test_no_invitation_into_a_closed_tenant(app, admin):
    tenant = _create(app, admin)
    admin.post(f"/admin/tenants/{tenant.id}/status/archive", data={"reason": "作成の誤り"})
    assert admin.get(f"/admin/tenants/{tenant.id}/invite").status_code == 404
    assert admin.post(f"/admin/tenants/{tenant.id}/invite", data={"email": "a@b.example", "display_name": "x"}).status_code == 404


def test_every_admin_post_needs_its_csrf_token(app, admin):
    tenant = _create(app, admin)
    app.config["WTF_CSRF_ENABLED"] = True
    for path, data in ((f"/admin/tenants/{tenant.id}/status/open", {}),
                       ("/admin/tenants/new", {**NEW, "slug": "other-ken"}),
                       (f"/admin/tenants/{tenant.id}/invite", {"email": "a@b.example", "display_name": "x"})):
        response = admin.post(path, data=data)
        assert response.status_code == 400 and "再読み込み" in response.get_data(as_text=True), path
    assert _tenant(app).status == TenantStatus.PREPARING and _tenant(app, "other-ken") is None


def test_a_stale_login_is_asked_to_reauthenticate_before_a_status_change(app, admin, monkeypatch):
    from app.auth import sessions

    tenant = _create(app, admin)
    monkeypatch.setattr(sessions, "needs_reauth", lambda: True)
    response = admin.post(f"/admin/tenants/{tenant.id}/status/open",
                          headers={"Referer": f"http://localhost/admin/tenants/{tenant.id}"})
    assert response.status_code == 302 and "/admin/reauth" in response.headers["Location"]
    assert _tenant(app).status == TenantStatus.PREPARING
