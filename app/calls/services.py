"""Call services: create a fiscal year's call from the tenant's rules and calendar, edit it, move
its phase. Services flush, never commit, never read `flask.request`."""
from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from app.calls.models import Call, CallWindow
from app.calls.states import TRANSITIONS, WINDOW_PHASES, CallPhase
from app.core.audit import apply_transition, record_audit
from app.core.states import check_transition
from app.core.wareki import fiscal_year_label
from app.extensions import db

RULE_FIELDS = (
    "max_choices",
    "max_applications_per_municipality",
    "max_engagements_first_pass",
    "max_engagements_per_municipality",
    "priority_lookback_years",
    "coverage_window_years",
)


class CallError(ValueError):
    """The call cannot be created or changed as asked (message is user-facing Japanese)."""


def calendar_windows(tenant, fiscal_year: int) -> dict[CallPhase, tuple[dt.date, dt.date]]:
    """Planned phase windows for `fiscal_year` from tenant.toml `[calendar]`.

    Entries are `"+Y-MM-DD"`: MM-DD of calendar year fiscal_year+Y (Fukushima: 001:246-254).
    Returns `{phase: (starts_on, ends_on)}` for the phases the calendar names.
    """
    windows = {}
    for phase in WINDOW_PHASES:
        spec = (tenant.calendar or {}).get(phase.value)
        if spec:
            windows[phase] = tuple(_calendar_date(fiscal_year, s) for s in spec)
    return windows


def _calendar_date(fiscal_year: int, spec: str) -> dt.date:
    offset, month, day = spec.lstrip("+").split("-")
    return dt.date(fiscal_year + int(offset), int(month), int(day))


def create_call(tenant, *, fiscal_year: int, budget_thousand_yen: int, actor, title: str = "") -> Call:
    """Create the call of `fiscal_year` with the tenant's rules and calendar windows.

    Budget is in 千円 (FY2024 Fukushima: 69,545, 001:218). Raises `CallError` when the tenant
    already has a call for that fiscal year (one call per tenant and year, product.md §4).
    For a continuous / on-demand tenant (rules.call_model) the call is created open for 派遣依頼,
    with the experts' themes as its menu (`app.calls.continuous.create_request_call`).
    """
    exists = db.session.scalar(sa.select(Call.id).where(Call.tenant_id == tenant.id, Call.fiscal_year == fiscal_year))
    if exists:
        raise CallError(f"{fiscal_year_label(fiscal_year)}の募集は既に作成されています。")
    if tenant.takes_requests:
        from app.calls.continuous import create_request_call

        return create_request_call(tenant, fiscal_year=fiscal_year, actor=actor, budget_thousand_yen=budget_thousand_yen,
                                   title=title)
    call = Call(
        tenant_id=tenant.id,
        fiscal_year=fiscal_year,
        title=title or f"{fiscal_year_label(fiscal_year)} {tenant.name}",
        budget_thousand_yen=budget_thousand_yen,
        **{f: int(tenant.rule(f, getattr(Call, f).default.arg)) for f in RULE_FIELDS},
    )
    for phase, (starts_on, ends_on) in calendar_windows(tenant, fiscal_year).items():
        call.windows.append(CallWindow(tenant_id=tenant.id, phase=phase, starts_on=starts_on, ends_on=ends_on))
    db.session.add(call)
    db.session.flush()
    record_audit("call.create", tenant_id=tenant.id, actor=actor, target=call, changes={"fiscal_year": fiscal_year})
    return call


def update_call(call: Call, *, actor, title: str, budget_thousand_yen: int, rules: dict[str, int],
                windows: dict[CallPhase, tuple[dt.date, dt.date]]) -> Call:
    """Change title, budget (千円), per-call rules and phase windows.

    Raises `CallError` for a window that ends before it starts, or for rule changes once
    applications are open (the rules municipalities applied under must not move).
    """
    for phase, (starts_on, ends_on) in windows.items():
        if ends_on < starts_on:
            raise CallError(f"{phase.label}の終了日が開始日より前です。")
    rules_changed = any(getattr(call, k) != v for k, v in rules.items())
    if rules_changed and list(CallPhase).index(call.phase) >= list(CallPhase).index(CallPhase.APPLICATIONS):
        raise CallError("申込受付の開始後は選定ルールを変更できません。")
    changes = {"title": title, "budget_thousand_yen": budget_thousand_yen, **rules}
    call.title, call.budget_thousand_yen = title, budget_thousand_yen
    for key, value in rules.items():
        setattr(call, key, value)
    for phase, (starts_on, ends_on) in windows.items():
        window = call.window(phase)
        if window is None:
            window = CallWindow(tenant_id=call.tenant_id, phase=phase, starts_on=starts_on, ends_on=ends_on)
            call.windows.append(window)
        window.starts_on, window.ends_on = starts_on, ends_on
    db.session.flush()
    record_audit("call.update", tenant_id=call.tenant_id, actor=actor, target=call, changes=changes)
    return call


PHASE_GUARDS: dict[CallPhase, list] = {}  # {to_phase: [check(call) -> message | None]}


def register_phase_guard(phase: CallPhase, check) -> None:
    """Let a domain refuse entry into `phase`: `check(call)` returns a Japanese message or None."""
    PHASE_GUARDS.setdefault(phase, []).append(check)


def transition_call(call: Call, to_phase: CallPhase, *, actor, note: str = "") -> Call:
    """Move `call` to `to_phase` (the only place that assigns `Call.phase`).

    Side effects, in order: the edge is checked against `TRANSITIONS` (`TransitionError`); the
    guards registered by other domains for `to_phase` may refuse with `CallError` (e.g. the menu
    must be published before applications open); the phase is set; a history row and an audit
    event are written.
    """
    check_transition("call", TRANSITIONS, call.phase, to_phase)
    for check in PHASE_GUARDS.get(to_phase, []):
        problem = check(call)
        if problem:
            raise CallError(problem)
    return apply_transition("call", call, to_phase, actor=actor, note=note, attr="phase")


def next_phase(call: Call) -> CallPhase | None:
    """The phase the operator's "次のフェーズへ" button moves to (the main forward edge)."""
    order = list(CallPhase)
    index = order.index(call.phase)
    return order[index + 1] if index + 1 < len(order) else None
