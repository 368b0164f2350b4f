import datetime as dt

import pytest

from app.calls import services
from app.calls.states import TRANSITIONS, CallPhase
from app.core.audit import history_for
from app.core.states import TransitionError
from app.extensions import db
from tests.conftest import in_tenant


def test_create_call_takes_rules_and_calendar_from_the_tenant(app):
    with in_tenant(app) as tenant:
        call = services.create_call(tenant, fiscal_year=2024, budget_thousand_yen=69545, actor=None)
        assert call.title.startswith("令和6年度")
        assert (call.max_choices, call.priority_lookback_years, call.coverage_window_years) == (3, 2, 3)
        assert call.max_engagements_per_municipality == 2
        # 001:250 review late April–mid May 2024; support runs into the next calendar year
        review = call.window(CallPhase.MENU_REVIEW)
        assert review.starts_on == dt.date(2024, 4, 22) and review.ends_on == dt.date(2024, 5, 15)
        assert call.window(CallPhase.SUPPORT).ends_on == dt.date(2025, 2, 28)


def test_one_call_per_fiscal_year(app):
    with in_tenant(app) as tenant:
        services.create_call(tenant, fiscal_year=2024, budget_thousand_yen=1, actor=None)
        with pytest.raises(services.CallError, match="既に作成"):
            services.create_call(tenant, fiscal_year=2024, budget_thousand_yen=1, actor=None)


@pytest.mark.parametrize("from_phase", list(CallPhase))
@pytest.mark.parametrize("to_phase", list(CallPhase))
def test_every_call_edge_is_allowed_or_refused_by_the_table(app, from_phase, to_phase):
    with in_tenant(app) as tenant:
        call = services.create_call(tenant, fiscal_year=2030, budget_thousand_yen=1, actor=None)
        call.phase = from_phase  # arranging a starting state, not a transition under test
        call.menu_published_at = dt.datetime(2030, 5, 1, tzinfo=dt.timezone.utc)
        db.session.flush()
        if to_phase in TRANSITIONS[from_phase]:
            services.transition_call(call, to_phase, actor=None, note="テスト")
            assert call.phase == to_phase
            assert history_for("call", call.id)[-1].to_state == to_phase.value
        else:
            with pytest.raises(TransitionError):
                services.transition_call(call, to_phase, actor=None)
            assert call.phase == from_phase


def test_phase_guard_refuses_with_its_message(app):
    with in_tenant(app) as tenant:
        call = services.create_call(tenant, fiscal_year=2024, budget_thousand_yen=1, actor=None)
        services.register_phase_guard(CallPhase.PROPOSALS, lambda c: None)
        services.register_phase_guard(CallPhase.PROPOSALS, lambda c: "まだです")
        try:
            with pytest.raises(services.CallError, match="まだです"):
                services.transition_call(call, CallPhase.PROPOSALS, actor=None)
        finally:
            del services.PHASE_GUARDS[CallPhase.PROPOSALS]


def test_rules_are_frozen_once_applications_open(app):
    with in_tenant(app) as tenant:
        call = services.create_call(tenant, fiscal_year=2024, budget_thousand_yen=1, actor=None)
        call.phase = CallPhase.APPLICATIONS
        rules = {f: getattr(call, f) for f in services.RULE_FIELDS}
        services.update_call(call, actor=None, title="変更", budget_thousand_yen=2, rules=rules, windows={})
        assert call.title == "変更"
        with pytest.raises(services.CallError, match="変更できません"):
            services.update_call(call, actor=None, title="x", budget_thousand_yen=2,
                                 rules={**rules, "max_choices": 5}, windows={})


def test_window_must_not_end_before_it_starts(app):
    with in_tenant(app) as tenant:
        call = services.create_call(tenant, fiscal_year=2024, budget_thousand_yen=1, actor=None)
        rules = {f: getattr(call, f) for f in services.RULE_FIELDS}
        with pytest.raises(services.CallError, match="終了日"):
            services.update_call(call, actor=None, title="x", budget_thousand_yen=1, rules=rules,
                                 windows={CallPhase.SUPPORT: (dt.date(2024, 8, 1), dt.date(2024, 7, 1))})
