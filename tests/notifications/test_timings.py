"""Reminder timings (app/notifications/timings.py): tenant.toml [notices] is validated with Japanese
messages naming the key, imported into the tenant, and a call's 通知設定 overrides it — and the jobs
really send on the days the resolved timings say."""
import datetime as dt
import shutil
import tomllib
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.auth.models import Role
from app.calls.jobs import CLOSING
from app.calls.models import Call
from app.core.audit import AuditEvent
from app.extensions import db
from app.notifications.models import Notification
from app.notifications.timings import NoticeSettingsError, NoticeTimings, notice_timings, set_call_timings
from app.scheduling import run_job
from app.tenancy.loader import read_definition
from app.tenancy.transfer import apply_definition
from app.tenancy.schema import TenantDefinitionError
from tests import factories
from tests.applications.builders import call_with_menu
from tests.calls.test_jobs import at
from tests.conftest import in_tenant, login

TENANTS = Path(__file__).resolve().parents[2] / "tenants"
BASE = "/t/fukushima"


def _folder_with(tmp_path: Path, notices_toml: str) -> Path:
    folder = tmp_path / "fukushima"
    shutil.copytree(TENANTS / "fukushima", folder)
    text = (folder / "tenant.toml").read_text(encoding="utf-8")
    (folder / "tenant.toml").write_text(text.split("[notices]")[0] + notices_toml, encoding="utf-8")
    return folder


@pytest.mark.parametrize("notices, message", [
    ("[notices]\ncall_closing_days_before = 61\n", "notices.call_closing_days_before: 0以上60以下の整数にしてください"),
    ("[notices]\nsurvey_reminder_every_days = 0\n", "notices.survey_reminder_every_days: 1以上60以下の整数にしてください"),
    ("[notices]\nremind_days = 3\n", "notices.remind_days: 不明なキーです"),
    ("[notices]\ncase_reminder_every_days = \"7\"\n", "notices.case_reminder_every_days: 1以上60以下の整数にしてください"),
])
def test_a_bad_notices_table_is_refused_with_a_japanese_message_naming_the_key(tmp_path, notices, message):
    with pytest.raises(TenantDefinitionError) as error:
        read_definition(_folder_with(tmp_path, notices))
    assert message in str(error.value) and "tenant.toml" in str(error.value)


def test_the_shipped_tenants_state_the_defaults_and_a_missing_table_means_the_defaults(tmp_path):
    defaults = {k: v for k, v in NoticeTimings().__dict__.items() if k != "stale_after_weeks"}
    for slug in ("fukushima", "shizuoka-sample", "miyagi-sample"):
        assert tomllib.loads((TENANTS / slug / "tenant.toml").read_text(encoding="utf-8"))["notices"] == defaults
    assert read_definition(_folder_with(tmp_path, "")).notices == defaults


def test_imported_notices_and_a_call_override_are_what_the_resolver_returns(app, tmp_path):
    definition = read_definition(_folder_with(tmp_path, "[notices]\ncall_closing_days_before = 3\nreport_due_days_before = 14\n"))
    with in_tenant(app) as tenant:
        apply_definition(tenant, definition)
        call, _ = call_with_menu(tenant, fiscal_year=2025)
        set_call_timings(call, {"call_closing_days_before": 10, "report_due_days_before": None}, actor=None)
        assert notice_timings(tenant).call_closing_days_before == 3
        assert notice_timings(tenant, call).call_closing_days_before == 10
        assert notice_timings(tenant, call).report_due_days_before == 14, "blank: the tenant's value"
        assert notice_timings(tenant, call).stale_after_weeks == tenant.rule("stale_after_weeks")


def test_a_call_override_out_of_range_is_refused_and_a_valid_one_is_audited(app):
    with in_tenant(app) as tenant:
        call, _ = call_with_menu(tenant, fiscal_year=2025)
        with pytest.raises(NoticeSettingsError, match="申込締切前のお知らせ.*0以上60以下"):
            set_call_timings(call, {"call_closing_days_before": 61}, actor=None)
        set_call_timings(call, {"case_reminder_every_days": 14}, actor=None)
        db.session.commit()
        event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "call.notice_settings"))
    assert event.changes == {"before": {}, "after": {"case_reminder_every_days": 14}}


def _closing_orgs(app) -> list[int]:
    with in_tenant(app):
        return list(db.session.scalars(sa.select(Notification.organisation_id).where(Notification.kind == CLOSING)))


def _closing_world(app, tenant_days: int | None, call_days: int | None) -> None:
    with in_tenant(app) as tenant:
        if tenant_days is not None:
            tenant.rules = {**tenant.rules, "notices": {"call_closing_days_before": tenant_days}}
        call, _ = call_with_menu(tenant, fiscal_year=2025)  # 申込受付 2025-05-16 .. 06-14 (tenant calendar)
        assert call.window(call.phase).ends_on == dt.date(2025, 6, 14)
        factories.user(tenant, Role.MUNICIPAL, "m@example.jp", factories.municipality("072010"))
        if call_days is not None:
            set_call_timings(call, {"call_closing_days_before": call_days}, actor=None)
        db.session.commit()


def _run_closing(app, day: str) -> None:
    with app.app_context():
        assert run_job("calls.closing_reminders", now=at(day), tenant_slugs=["fukushima"])[0].status == "done"


@pytest.mark.parametrize("tenant_days, call_days, silent_on, first_on", [
    (None, None, "2025-06-06", "2025-06-07"),  # default: 7 days before 06-14
    (3, None, "2025-06-10", "2025-06-11"),  # the tenant's [notices]
    (3, 10, "2025-06-03", "2025-06-04"),  # the call's 通知設定 wins over the tenant
])
def test_the_closing_reminder_goes_out_when_the_tenant_and_call_timings_say(app, tenant_days, call_days, silent_on, first_on):
    _closing_world(app, tenant_days, call_days)
    _run_closing(app, silent_on)
    assert _closing_orgs(app) == []
    _run_closing(app, first_on)
    assert len(_closing_orgs(app)) == 1
    with in_tenant(app):
        body = db.session.scalar(sa.select(Notification.body).where(Notification.kind == CLOSING))
    days_left = (dt.date(2025, 6, 14) - dt.date.fromisoformat(first_on)).days
    assert f"あと{days_left}日" in body


def _operator_world(app) -> int:
    with in_tenant(app) as tenant:
        factories.user(tenant, Role.OPERATOR, "op@example.jp")
        factories.user(tenant, Role.MUNICIPAL, "m@example.jp", factories.municipality("072010"))
        call, _ = call_with_menu(tenant, fiscal_year=2025)
        db.session.commit()
        return call.id


def test_the_operator_edits_a_calls_notice_settings_on_its_page(app, client):
    call_id = _operator_world(app)
    login(client, "op@example.jp")
    page = client.get(f"{BASE}/calls/{call_id}/notice-settings").get_data(as_text=True)
    assert "通知設定" in page and "事業全体の設定：7日" in page
    bad = client.post(f"{BASE}/calls/{call_id}/notice-settings", data={"call_closing_days_before": "99"})
    assert bad.status_code == 400 and "0以上60以下の整数にしてください" in bad.get_data(as_text=True)
    ok = client.post(f"{BASE}/calls/{call_id}/notice-settings", data={"call_closing_days_before": "10"})
    assert ok.status_code == 302
    with in_tenant(app) as tenant:
        stored = db.session.get(Call, call_id)
        assert stored.notice_settings == {"call_closing_days_before": 10}
        assert notice_timings(tenant, stored).call_closing_days_before == 10
        assert db.session.scalar(sa.select(AuditEvent.actor_id).where(AuditEvent.action == "call.notice_settings"))


def test_only_operators_reach_the_notice_settings(app, client):
    call_id = _operator_world(app)
    login(client, "m@example.jp")
    assert client.get(f"{BASE}/calls/{call_id}/notice-settings").status_code in (403, 404)
    assert client.post(f"{BASE}/calls/{call_id}/notice-settings", data={"call_closing_days_before": "10"}).status_code in (403, 404)
    with in_tenant(app):
        assert db.session.get(Call, call_id).notice_settings == {}
