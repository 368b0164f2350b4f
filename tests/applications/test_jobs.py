"""The after-close job: municipalities whose application is still a draft when the call moves past
申込受付 are told 「申込が未提出です」 once; submitted or absent applications are not."""
import sqlalchemy as sa

from app.applications.jobs import DRAFT_LEFT
from app.applications.services import create_application, submit_application
from app.auth.models import Role
from app.calls.queries import call_for_year
from app.calls.states import CallPhase
from app.extensions import db
from app.notifications.models import Notification
from app.scheduling import run_job
from tests import factories
from tests.applications.builders import advance, call_with_menu
from tests.calls.test_jobs import CODES, at
from tests.conftest import in_tenant


def _orgs(app) -> list[int]:
    with in_tenant(app):
        return list(db.session.scalars(sa.select(Notification.organisation_id).where(Notification.kind == DRAFT_LEFT)))


def _run(app, day: str):
    with app.app_context():
        return run_job("applications.draft_reminders", now=at(day), tenant_slugs=["fukushima"])[0]


def test_only_draft_applications_are_reminded_once_after_the_close(app):
    with in_tenant(app) as tenant:
        call, menu = call_with_menu(tenant, fiscal_year=2025)
        orgs = {k: factories.municipality(code) for k, code in CODES.items()}
        for key, org in orgs.items():
            factories.user(tenant, Role.MUNICIPAL, f"{key}@example.jp", org)
        submit_application(create_application(call, orgs["koriyama"], actor=None, choices=[menu[0]], issue="課題"), actor=None)
        create_application(call, orgs["iwaki"], actor=None, choices=[menu[0]], issue="課題")
        db.session.commit()
        iwaki = orgs["iwaki"].id
    assert _run(app, "2025-06-01").summary.startswith("未提出の申込のお知らせ 0 件"), "not while 申込受付"
    with in_tenant(app) as tenant:
        advance(call_for_year(tenant, 2025), CallPhase.SELECTION)
        db.session.commit()
    _run(app, "2025-06-20")
    assert _orgs(app) == [iwaki]
    _run(app, "2025-06-21")
    assert _orgs(app) == [iwaki], "once per user and call"
    with in_tenant(app):
        subject = db.session.scalar(sa.select(Notification.subject).where(Notification.kind == DRAFT_LEFT))
    assert "申込が未提出です" in subject
