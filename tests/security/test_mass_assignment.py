"""No mass assignment (issue 7 §6; architecture.md "Forms are role-specific"): the main forms,
posted by their owner as the page offers them plus fields that role may not set (another tenant,
another organisation, a state, an id, a version, approval flags), save only the form's own fields.
"""
from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from app.applications.models import Application
from app.cases.models import Case
from app.engagements.models import Engagement, SupportSession
from app.extensions import db
from app.menus.models import MenuProposal
from app.needs.models import NeedsSurveyResponse
from app.surveys.models import SurveyResponse
from app.tenancy.models import Tenant
from tests.conftest import _make_app, in_tenant, login
from tests.isolation_fixtures import OTHER
from tests.security.forms_on_pages import post_forms
from tests.security.fuzz_world import build_fuzz_world

FOREIGN_ID = 987_654


class World:
    def __init__(self, app):
        self.app = app
        self.world, self.extra = build_fuzz_world(app)
        with app.app_context():
            self.other_tenant = db.session.scalar(sa.select(Tenant.id).where(Tenant.slug == OTHER))

    def forbidden(self, form_fields: set[str]) -> list[tuple[str, str]]:
        """Fields a municipality / provider may never set, pointing at someone else's rows."""
        orgs = self.world.organisations
        pairs = [("tenant_id", str(self.other_tenant)), ("municipality_id", str(orgs["A"])), ("provider_id", str(orgs["P"])),
                 ("organisation_id", str(orgs["A"])), ("state", "published"), ("id", str(FOREIGN_ID)),
                 ("call_id", str(FOREIGN_ID)), ("engagement_id", str(FOREIGN_ID)), ("round_id", str(FOREIGN_ID)),
                 ("published_at", "2024-01-01"), ("submitted_at", "2024-01-01"), ("is_sample", "y"),
                 ("approved_by_municipality_at", "2024-01-01"), ("approved_by_provider_at", "2024-01-01"),
                 ("kickoff_agreed_at", "2024-01-01"), ("number", "1"), ("created_by_id", "1")]
        if "version_id" not in form_fields:  # where it is a form field it is the seen version (conflicts are tested elsewhere)
            pairs.append(("version_id", "99"))
        return [(name, value) for name, value in pairs if name not in form_fields]


@pytest.fixture(scope="module")
def w(templates, tmp_path_factory):
    gen = _make_app(templates, "base", tmp_path_factory.mktemp("mass"))
    app = next(gen)
    try:
        yield World(app)
    finally:
        next(gen, None)


def _client(w: World, subject: str):
    client = w.app.test_client()
    login(client, w.world.email(subject))
    return client


def _post_with_extras(w: World, subject: str, url: str, changes: dict[str, object], pick: tuple[str, ...] = ()):
    """GET the form, keep what the page sends, apply `changes` (and the first option offered for
    each field in `pick`), add forbidden fields, POST; asserts the save was accepted (302)."""
    client = _client(w, subject)
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} as {subject}: {page.status_code}"
    form = next(f for f in post_forms(page.get_data(as_text=True), url) if f.action.split("?")[0] == url)
    changes = {**{name: next(v for v in form.fields[name] if v) for name in pick}, **changes}
    data = MultiDict([(k, v) for k, v in form.current_data() if k not in changes])
    for name, value in changes.items():
        for v in value if isinstance(value, list) else [value]:
            data.add(name, v)
    for name, value in w.forbidden(set(form.fields)):
        data.add(name, value)
    response = client.post(form.action, data=data)
    errors = re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]+)', response.get_data(as_text=True))
    assert response.status_code == 302, f"POST {url} as {subject}: {response.status_code} {errors}"
    return form


def _row(w: World, model, row_id: int) -> dict[str, object]:
    with in_tenant(w.app):
        row = db.session.get(model, row_id)
        return {c.key: getattr(row, c.key) for c in sa.inspect(model).column_attrs}


def _changed(before: dict, after: dict) -> set[str]:
    return {k for k in before if before[k] != after[k]} - {"updated_at", "version_id"}


def test_application_draft_saves_only_the_municipal_fields(w):
    app_id = w.extra["application_id"][0]
    before = _row(w, Application, app_id)
    _post_with_extras(w, "municipal_B", f"/t/fukushima/applications/{app_id}/edit", {"issue": "書き換えた課題", "goal": "目標"})
    after = _row(w, Application, app_id)
    assert after["issue"] == "書き換えた課題"
    assert _changed(before, after) <= {"issue", "goal", "desired_timing", "contact_name", "contact_email", "contact_phone"}
    assert (after["tenant_id"], after["municipality_id"], after["state"], after["call_id"]) == (
        before["tenant_id"], before["municipality_id"], before["state"], before["call_id"])


def test_menu_proposal_saves_only_the_provider_fields(w):
    proposal_id = w.extra["proposal_id"][0]
    before = _row(w, MenuProposal, proposal_id)
    _post_with_extras(w, "provider_Q", f"/t/fukushima/proposals/{proposal_id}/edit",
                      {"title": "書き換えた提案", "description": "内容", "capacity": "3", "unit_cost_thousand_yen": "500"},
                      pick=("categories",))
    after = _row(w, MenuProposal, proposal_id)
    assert after["title"] == "書き換えた提案"
    assert {"provider_id", "state", "tenant_id", "call_id", "id", "submitted_at"}.isdisjoint(_changed(before, after))


def test_kickoff_saves_only_the_kickoff_fields(w):
    engagement_id = w.extra["engagement_id"][1]  # ACCEPTED: the provider drafts the kickoff
    before = _row(w, Engagement, engagement_id)
    _post_with_extras(w, "provider_Q", f"/t/fukushima/engagements/{engagement_id}/kickoff",
                      {"kickoff_issues": "課題", "kickoff_goals": "目標", "planned_sessions": "4"})
    after = _row(w, Engagement, engagement_id)
    assert after["kickoff_issues"] == "課題"
    assert {"state", "tenant_id", "municipality_id", "provider_id", "call_id", "menu_item_id", "cost_thousand_yen",
            "application_id"}.isdisjoint(_changed(before, after))


def test_session_log_is_created_for_the_addressed_engagement_only(w):
    engagement_id = w.extra["engagement_id"][2]  # IN_PROGRESS
    before = _row(w, Engagement, engagement_id)
    _post_with_extras(w, "provider_Q", f"/t/fukushima/engagements/{engagement_id}/sessions/new",
                      {"held_on": (dt.date.today() - dt.timedelta(days=3)).isoformat(), "format": "online", "hours": "1.5",
                       "attendees_staff": "2", "content": "支援しました"})
    with in_tenant(w.app) as tenant:
        session = db.session.scalars(sa.select(SupportSession).order_by(SupportSession.id.desc())).first()
        assert (session.engagement_id, session.tenant_id, session.content) == (engagement_id, tenant.id, "支援しました")
        assert session.id != FOREIGN_ID
    assert _changed(before, _row(w, Engagement, engagement_id)) <= {"first_session_on", "last_session_on"}


def test_case_edit_saves_only_the_case_text(w):
    case_id = w.extra["case_id"][0]
    before = _row(w, Case, case_id)
    _post_with_extras(w, "operator", f"/t/fukushima/cases/{case_id}/edit", {"title": "書き換えた事例", "key_points": "ポイント"})
    after = _row(w, Case, case_id)
    assert after["title"] == "書き換えた事例"
    assert {"state", "tenant_id", "engagement_id", "published_at", "fiscal_year", "id"}.isdisjoint(_changed(before, after))


def test_survey_answer_belongs_to_the_addressed_engagement(w):
    engagement_id = w.extra["engagement_id"][3]  # CLOSED, not answered yet
    changes = _survey_changes(w, engagement_id)
    _post_with_extras(w, "municipal_B", f"/t/fukushima/engagements/{engagement_id}/survey", changes)
    with in_tenant(w.app) as tenant:
        answer = db.session.scalars(sa.select(SurveyResponse).order_by(SurveyResponse.id.desc())).first()
        assert (answer.engagement_id, answer.tenant_id) == (engagement_id, tenant.id)
        assert answer.id != FOREIGN_ID


def _survey_changes(w: World, engagement_id: int) -> dict[str, object]:
    """Every question answered with the first option the page offers (free text: a sentence)."""
    url = f"/t/fukushima/engagements/{engagement_id}/survey"
    page = _client(w, "municipal_B").get(url)
    form = next(f for f in post_forms(page.get_data(as_text=True), url) if f.action == url)
    return {name: next((v for v in values if v), "よかったです") for name, values in form.fields.items()}


def test_needs_answer_is_saved_for_the_users_own_municipality(w):
    _post_with_extras(w, "municipal_B", "/t/fukushima/needs/answer", {}, pick=("categories", "maturity"))
    with in_tenant(w.app) as tenant:
        answer = db.session.scalars(sa.select(NeedsSurveyResponse).order_by(NeedsSurveyResponse.id.desc())).first()
        assert (answer.municipality_id, answer.tenant_id) == (w.world.organisations["B"], tenant.id)
        assert answer.round_id == w.extra["round_id"][0] and answer.id != FOREIGN_ID
