"""Kickoff, attachments and quotas through the web, as each role."""
import io
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.core.audit import AuditEvent
from app.engagements import attachments
from app.engagements.models import Engagement, SessionAttachment
from app.engagements.states import EngagementState
from app.extensions import db
from tests.conftest import in_tenant, login
from tests.engagements import builders

BASE = "/t/fukushima"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\0" * 64


@pytest.fixture
def world(app, tmp_path):
    app.config.update(ATTACHMENT_DIR=str(tmp_path / "attachments"), ATTACHMENT_MAX_BYTES=1024, ATTACHMENT_MAX_FILES=2)
    with in_tenant(app) as t:
        emails = builders.users(t)
        ids = {"accepted": builders.engagement(t, state=EngagementState.ACCEPTED).id,
               "started": builders.started(t, title="ＢＰＲ支援").id}
        db.session.commit()
    return {**emails, **ids}


def _session_form(**changes):
    data = {"held_on": "2024-07-10", "format": "online", "hours": "1", "attendees_staff": "2", "content": "説明した"}
    return {**data, **changes}


def _upload(client, world, *files):
    data = _session_form(attachments=[(io.BytesIO(body), name) for name, body in files])
    return client.post(f"{BASE}/engagements/{world['started']}/sessions/new", data=data, content_type="multipart/form-data")


KICKOFF = {"kickoff_issues": "窓口の待ち時間", "kickoff_goals": "手続の見える化", "planned_sessions": "3",
           "planned_dates-0": "2024-08-01", "planned_dates-1": "2024-09-01"}


def test_provider_drafts_the_kickoff_and_the_municipality_agrees(app, client, world):
    eid, url = world["accepted"], f"{BASE}/engagements/{world['accepted']}/kickoff"
    login(client, world["muni"])
    assert client.post(f"{BASE}/engagements/{eid}/kickoff/agree").status_code == 400  # nothing drafted yet
    assert client.get(url).status_code == 404  # the municipality agrees, it does not fill in
    client.post(f"{BASE}/logout")
    login(client, world["other_prov"])
    assert client.get(url).status_code == 404
    client.post(f"{BASE}/logout")
    login(client, world["prov"])
    assert "キックオフ" in client.get(f"{BASE}/engagements/{eid}/sessions/new", follow_redirects=True).get_data(as_text=True)
    response = client.post(url, data={**KICKOFF, "kickoff_goals": ""})
    assert response.status_code == 400 and "支援の目標を入力してください" in response.get_data(as_text=True)
    assert client.post(url, data=KICKOFF).status_code == 302
    assert "市町村の合意待ち" in client.get(f"{BASE}/engagements/{eid}").get_data(as_text=True)
    client.post(f"{BASE}/logout")
    for email in (world["other_muni"], world["other_prov"]):
        login(client, email)
        assert client.post(f"{BASE}/engagements/{eid}/kickoff/agree").status_code == 404
        client.post(f"{BASE}/logout")
    login(client, world["muni"])
    assert client.post(f"{BASE}/engagements/{eid}/kickoff/agree").status_code == 302
    with in_tenant(app):
        e = db.session.get(Engagement, eid)
        assert e.state == EngagementState.IN_PROGRESS and e.kickoff_at and e.planned_sessions == 3
        assert [p.planned_on.isoformat() for p in e.planned_dates] == ["2024-08-01", "2024-09-01"]
    assert client.post(f"{BASE}/engagements/{eid}/kickoff/agree").status_code == 409  # once only


def test_operator_records_the_kickoff_in_one_step(app, client, world):
    login(client, world["op"])
    assert client.post(f"{BASE}/engagements/{world['accepted']}/kickoff", data=KICKOFF).status_code == 302
    with in_tenant(app):
        assert db.session.get(Engagement, world["accepted"]).state == EngagementState.IN_PROGRESS
    response = client.post(f"{BASE}/engagements/{world['accepted']}/kickoff", data=KICKOFF, follow_redirects=True)
    assert "受諾済みの案件のみ" in response.get_data(as_text=True)  # no longer ACCEPTED


def test_attachment_is_stored_under_a_random_name_outside_static_and_downloaded_by_each_side(app, client, world):
    login(client, world["prov"])
    assert _upload(client, world, ("議事録 第1回.pdf", PDF), ("写真.PNG", PNG)).status_code == 302
    with in_tenant(app):
        stored = db.session.scalars(sa.select(SessionAttachment).order_by(SessionAttachment.id)).all()
        assert [(a.original_name, a.content_type) for a in stored] == [("議事録 第1回.pdf", "application/pdf"), ("写真.PNG", "image/png")]
        path = attachments.path_of(stored[0])
        assert path.read_bytes() == PDF and path.name == stored[0].storage_token and "議事録" not in str(path)
        assert Path(app.root_path, "static") not in path.parents
        first = stored[0].id
    client.post(f"{BASE}/logout")
    for who in ("prov", "muni", "op"):
        login(client, world[who])
        response = client.get(f"{BASE}/attachments/{first}")
        assert response.status_code == 200 and response.data == PDF
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff" and response.headers["Cache-Control"] == "no-store"
        client.post(f"{BASE}/logout")
    for who in ("other_prov", "other_muni", "rev"):
        login(client, world[who])
        assert client.get(f"{BASE}/attachments/{first}").status_code == 404
        client.post(f"{BASE}/logout")
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "attachment.download")) == 3


@pytest.mark.parametrize(("files", "message"), [
    ([("malware.pdf", EXE)], "拡張子（.pdf）と一致しません"),
    ([("script.exe", EXE)], "添付できるのは"),
    ([("big.pdf", PDF + b"x" * 1024)], "上限"),
    ([("a.pdf", PDF), ("b.pdf", PDF), ("c.pdf", PDF)], "2件まで"),
    ([("報告\x00書.pdf", PDF)], "使えない文字（制御文字）"),  # a NUL was a 500 on PostgreSQL
    ([("report\u202efdp.exe.pdf", PDF)], "使えない文字（制御文字）"),  # right-to-left override
])
def test_bad_attachments_are_refused_and_nothing_is_saved(app, client, world, files, message):
    login(client, world["prov"])
    response = _upload(client, world, *files)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    with in_tenant(app):
        assert db.session.scalar(sa.select(sa.func.count(SessionAttachment.id))) == 0
        assert db.session.get(Engagement, world["started"]).sessions == []
    assert not any(Path(app.config["ATTACHMENT_DIR"]).rglob("*.*"))


def test_quota_refuses_logging_beyond_it_and_the_page_shows_use(app, client, world):
    with in_tenant(app) as t:
        t.rules = {**t.rules, "max_sessions_per_engagement": 1, "max_hours_per_engagement": 2}
        db.session.commit()
    login(client, world["prov"])
    url = f"{BASE}/engagements/{world['started']}/sessions/new"
    response = client.post(url, data=_session_form(hours="2.25"))
    assert response.status_code == 400 and "支援時間の上限（2時間" in response.get_data(as_text=True)
    assert client.post(url, data=_session_form(hours="1.5")).status_code == 302
    response = client.post(url, data=_session_form(hours="0.25"))
    assert response.status_code == 400 and "支援回数の上限（1回）" in response.get_data(as_text=True)
    page = client.get(f"{BASE}/engagements/{world['started']}").get_data(as_text=True)
    assert "1回 / 上限1回" in page and "1.5時間 / 上限2時間" in page


def test_attachment_names_are_kept_as_the_last_path_part_in_nfc():
    assert attachments.clean_name("C:\\Users\\担当\\ハ\u309aンフレット.pdf") == "パンフレット.pdf"  # decomposed ﾊﾟ from macOS
    assert attachments.clean_name("../../etc/passwd") == "passwd"
    assert attachments.has_control_characters("a\tb.pdf") and not attachments.has_control_characters("報告書 (1).pdf")
