"""The decision-notice job: each issued 決定通知 / 割当通知 mails its recipient organisation's staff
once (per notice and user), not again on a re-run, and not when the recipient has already read it."""
import sqlalchemy as sa

from app.decisions.jobs import NOTICE
from app.decisions.models import DecisionNotice
from app.decisions.services import mark_notice_read
from app.extensions import db
from app.notifications.models import Notification
from app.scheduling import run_job
from tests import factories
from tests.calls.test_jobs import at
from tests.conftest import in_tenant
from tests.decisions.builders import CODES, PROVIDER, build, users


def _arrange(app) -> dict[str, int]:
    """The confirmed selection (notices issued) with staff of 白河市, 福島市 and the provider."""
    with in_tenant(app) as tenant:
        build(tenant)
        users(tenant)
        db.session.commit()
        return {"shirakawa": factories.municipality(CODES["shirakawa"]).id,
                "fukushima": factories.municipality(CODES["fukushima"]).id,
                "provider": factories.provider(tenant, PROVIDER).id}


def _mailed(app) -> list[tuple[int, int]]:
    with in_tenant(app):
        return list(db.session.execute(sa.select(Notification.organisation_id, Notification.user_id)
                                       .where(Notification.kind == NOTICE)).all())


def _run(app):
    with app.app_context():
        return run_job("decisions.notices", now=at("2024-06-20"), tenant_slugs=["fukushima"])[0]


def test_each_notice_reaches_its_recipients_staff_once(app):
    orgs = _arrange(app)
    assert _run(app).status == "done"
    mailed = _mailed(app)
    assert sorted(org for org, _ in mailed) == sorted(orgs.values()), "one per notice and staff member"
    assert _run(app).summary.startswith("決定通知のお知らせ 0 件")
    assert len(_mailed(app)) == 3
    with in_tenant(app):
        row = db.session.scalar(sa.select(Notification).where(Notification.organisation_id == orgs["provider"]))
        notice = db.session.scalar(sa.select(DecisionNotice).where(DecisionNotice.recipient_id == orgs["provider"]))
    assert "割当通知" in row.subject and row.link.endswith(f"/t/fukushima/notices/{notice.id}")


def test_a_notice_already_read_is_not_mailed(app):
    orgs = _arrange(app)
    with in_tenant(app):
        notice = db.session.scalar(sa.select(DecisionNotice).where(DecisionNotice.recipient_id == orgs["fukushima"]))
        mark_notice_read(notice, actor=None)
        db.session.commit()
    _run(app)
    assert orgs["fukushima"] not in {org for org, _ in _mailed(app)}
    assert {org for org, _ in _mailed(app)} == {orgs["shirakawa"], orgs["provider"]}
