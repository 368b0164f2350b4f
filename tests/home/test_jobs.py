"""The weekly digest: one mail per operator with their task list, nothing when the list is empty,
never two in the same week."""
from app.cases.states import CaseState
from app.extensions import db
from app.home.jobs import DIGEST, weekly_digest
from tests.cases.helpers import case_in
from tests.conftest import in_tenant
from tests.engagements import builders
from tests.engagements.test_jobs import at, notices, run


def test_digest_lists_the_operators_tasks_once_a_week_and_nothing_when_empty(app):
    with in_tenant(app) as tenant:
        builders.users(tenant)
        db.session.commit()
    run(app, "home.weekly_digest", "2025-06-02")
    assert notices(app, DIGEST) == [], "empty task list: no mail"
    with in_tenant(app) as tenant:
        case_in(tenant, CaseState.APPROVED)
        db.session.commit()
    run(app, "home.weekly_digest", "2025-06-09")
    [digest] = notices(app, DIGEST)
    assert digest.email == "op@example.jp" and "今週のタスク一覧" in digest.subject
    assert "・公開待ちの事例（双方承認済）：1件" in digest.body and "/t/fukushima/cases/manage?state=approved" in digest.body
    with in_tenant(app) as tenant:  # a catch-up later the same week: no second digest
        assert weekly_digest(tenant, at("2025-06-11", hour=9)) == "週次のタスク一覧 0 通"
        db.session.commit()
    assert len(notices(app, DIGEST)) == 1
