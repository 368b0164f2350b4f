"""Application services: every workflow edge allowed and refused, limits and choice validation."""
import pytest
import sqlalchemy as sa

from app.applications.models import Application
from app.applications.services import (
    ApplicationError, create_application, return_application, submit_application, transition_application,
    update_application, withdraw_application,
)
from app.applications.states import TRANSITIONS, ApplicationState
from app.auth.models import Role
from app.calls.states import CallPhase
from app.core.audit import AuditEvent, history_for
from app.core.states import TransitionError
from app.extensions import db
from tests import factories
from tests.applications.builders import advance, call_with_menu
from tests.conftest import in_tenant

VILLAGE = "073229"  # 大玉村 (any other municipality of the synced tenant works)


@pytest.fixture
def arranged(app):
    """Yield (tenant, call, menu, municipality, municipal user) inside the tenant scope."""
    with in_tenant(app) as tenant:
        muni = factories.municipality("072010")
        user = factories.user(tenant, Role.MUNICIPAL, "muni@example.jp", organisation=muni)
        call, menu = call_with_menu(tenant)
        yield tenant, call, menu, muni, user


def _draft(call, muni, user, menu, **kw):
    return create_application(call, muni, actor=user, choices=kw.pop("choices", [menu[0]]), issue=kw.pop("issue", "課題です"), **kw)


def test_create_makes_a_draft_with_ranked_choices_and_history(arranged):
    tenant, call, menu, muni, user = arranged
    application = _draft(call, muni, user, menu, choices=[menu[2], menu[0]], contact_email="a@example.jp")
    assert application.state == ApplicationState.DRAFT
    assert [(c.rank, c.menu_item_id) for c in application.choices] == [(1, menu[2].id), (2, menu[0].id)]
    assert [h.to_state for h in history_for("application", application.id)] == ["draft"]


@pytest.mark.parametrize("choices_idx, message", [
    ([], "第1希望"),
    ([0, 0], "同じ支援メニュー"),
    ([0, 1, 2], "希望は2件まで"),
])
def test_choices_are_validated(arranged, choices_idx, message):
    tenant, call, menu, muni, user = arranged
    call.max_choices = 2
    with pytest.raises(ApplicationError, match=message):
        _draft(call, muni, user, menu, choices=[menu[i] for i in choices_idx])


def test_choice_from_another_call_is_refused(arranged):
    tenant, call, menu, muni, user = arranged
    _other_call, other_menu = call_with_menu(tenant, fiscal_year=2025)
    with pytest.raises(ApplicationError, match="公開されている支援メニュー"):
        _draft(call, muni, user, menu, choices=[other_menu[0]])


@pytest.mark.parametrize("issue", ["", "   ", "あ" * 2001])
def test_issue_is_required_and_bounded(arranged, issue):
    tenant, call, menu, muni, user = arranged
    with pytest.raises(ApplicationError, match="課題"):
        _draft(call, muni, user, menu, issue=issue)


def test_max_applications_per_municipality_counts_non_withdrawn(arranged):
    tenant, call, menu, muni, user = arranged
    call.max_applications_per_municipality = 1
    first = _draft(call, muni, user, menu)
    with pytest.raises(ApplicationError, match="1市町村につき1件まで"):
        _draft(call, muni, user, menu)
    withdraw_application(first, actor=user)
    assert _draft(call, muni, user, menu).state == ApplicationState.DRAFT
    other = factories.municipality(VILLAGE)
    assert _draft(call, other, user, menu).municipality_id == other.id


def test_create_refused_when_call_not_taking_applications(app):
    with in_tenant(app) as tenant:
        muni = factories.municipality("072010")
        call, menu = call_with_menu(tenant, phase=CallPhase.MENU_REVIEW)
        with pytest.raises(ApplicationError, match="受け付けていません"):
            create_application(call, muni, actor=None, choices=[menu[0]], issue="課題")


def test_full_path_submit_return_resubmit(arranged):
    tenant, call, menu, muni, user = arranged
    operator = factories.user(tenant, Role.OPERATOR, "op@example.jp")
    application = _draft(call, muni, user, menu)
    submit_application(application, actor=user)
    assert application.state == ApplicationState.SUBMITTED and application.submitted_at is not None
    with pytest.raises(ApplicationError, match="理由"):
        return_application(application, actor=operator, reason="  ")
    return_application(application, actor=operator, reason="課題をもう少し具体的に")
    assert application.state == ApplicationState.RETURNED
    assert application.return_reason == "課題をもう少し具体的に"
    update_application(application, actor=user, choices=[menu[1], menu[0]], issue="具体的な課題")
    submit_application(application, actor=user)
    assert application.state == ApplicationState.SUBMITTED
    assert [h.to_state for h in history_for("application", application.id)] == ["draft", "submitted", "returned", "submitted"]
    actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.target_id == application.id,
                                                                    AuditEvent.target_type == "applications")).all()
    assert "application.update" in actions and actions.count("application.transition") == 4


PATHS = {
    ApplicationState.DRAFT: [],
    ApplicationState.SUBMITTED: [ApplicationState.SUBMITTED],
    ApplicationState.RETURNED: [ApplicationState.SUBMITTED, ApplicationState.RETURNED],
    ApplicationState.WITHDRAWN: [ApplicationState.WITHDRAWN],
    ApplicationState.SELECTED: [ApplicationState.SUBMITTED, ApplicationState.SELECTED],
    ApplicationState.NOT_SELECTED: [ApplicationState.SUBMITTED, ApplicationState.NOT_SELECTED],
}


def _reach(application, state, user):
    for step in PATHS[state]:
        transition_application(application, step, actor=user, note="理由")
    assert application.state == state
    return application


ALL_EDGES = [(f, t) for f in ApplicationState for t in ApplicationState]


@pytest.mark.parametrize("from_state, to_state", ALL_EDGES)
def test_transition_table_is_enforced(arranged, from_state, to_state):
    tenant, call, menu, muni, user = arranged
    application = _reach(_draft(call, muni, user, menu), from_state, user)
    if to_state in TRANSITIONS[from_state]:
        transition_application(application, to_state, actor=user, note="理由")
        assert application.state == to_state
    else:
        with pytest.raises(TransitionError):
            transition_application(application, to_state, actor=user, note="理由")
        assert application.state == from_state


def test_decisions_set_decided_at(arranged):
    tenant, call, menu, muni, user = arranged
    application = _draft(call, muni, user, menu)
    submit_application(application, actor=user)
    transition_application(application, ApplicationState.SELECTED, actor=None)
    assert application.decided_at is not None


def test_edit_submit_withdraw_refused_once_applications_close(arranged):
    tenant, call, menu, muni, user = arranged
    draft = _draft(call, muni, user, menu)
    submitted = _draft(call, factories.municipality(VILLAGE), user, menu)
    submit_application(submitted, actor=user)
    advance(call, CallPhase.SELECTION)
    with pytest.raises(ApplicationError):
        update_application(draft, actor=user, choices=[menu[0]], issue="x")
    with pytest.raises(ApplicationError):
        submit_application(draft, actor=user)
    with pytest.raises(ApplicationError):
        withdraw_application(submitted, actor=user)
    with pytest.raises(ApplicationError):
        return_application(submitted, actor=None, reason="理由")


def test_update_refused_for_submitted_and_unknown_fields(arranged):
    tenant, call, menu, muni, user = arranged
    application = _draft(call, muni, user, menu)
    with pytest.raises(ApplicationError, match="変更できない"):
        update_application(application, actor=user, choices=[menu[0]], state="selected")
    submit_application(application, actor=user)
    with pytest.raises(ApplicationError, match="編集できません"):
        update_application(application, actor=user, choices=[menu[0]], issue="x")


def test_withdrawn_is_final(arranged):
    tenant, call, menu, muni, user = arranged
    application = _draft(call, muni, user, menu)
    withdraw_application(application, actor=user)
    with pytest.raises(TransitionError):
        submit_application(application, actor=user)
    with pytest.raises(TransitionError):
        withdraw_application(application, actor=user)
    assert db.session.scalar(sa.select(Application.state).where(Application.id == application.id)) == ApplicationState.WITHDRAWN
