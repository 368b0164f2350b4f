from app.auth.models import Role
from app.extensions import db
from tests import factories
from tests.conftest import in_tenant, login


def test_login_and_home(app, client):
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        db.session.commit()
    login(client, "op@example.jp")
    page = client.get("/t/fukushima/").get_data(as_text=True)
    assert "ICTアドバイザー市町村派遣事業" in page
