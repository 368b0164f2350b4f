"""/healthz (process alive, no database) and /readyz (database, migrations at head, scheduler
heartbeat fresh; 503 naming the failing check) — issue 14 §6."""
import datetime as dt

import sqlalchemy as sa

from app import create_app
from app.core.clock import now_utc
from app.extensions import db
from app.scheduling import build_scheduler, write_heartbeat
from tests.conftest import _config


def test_healthz_answers_without_a_database(tmp_path):
    app = create_app({**_config("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path)})
    response = app.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_fails_without_a_scheduler_heartbeat_and_passes_with_a_fresh_one(app, client):
    response = client.get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["failing"] == ["scheduler"]
    assert body["checks"]["database"] == "ok" and body["checks"]["migrations"] == "ok"
    assert "flask scheduler run" in body["checks"]["scheduler"]
    with app.app_context():
        write_heartbeat()
        write_heartbeat()  # the second beat updates the one row
    response = client.get("/readyz")
    assert response.status_code == 200 and response.get_json()["status"] == "ok"


def test_readyz_fails_when_the_scheduler_stopped_longer_than_its_heartbeat(app, client):
    with app.app_context():
        write_heartbeat(now=now_utc() - dt.timedelta(seconds=app.config["HEARTBEAT_STALE_SECONDS"] + 5))
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["failing"] == ["scheduler"]
    assert "s old" in response.get_json()["checks"]["scheduler"]


def test_readyz_fails_when_migrations_are_behind_the_code(app, client):
    with app.app_context():
        write_heartbeat()
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = 'o3_audit_append_only'"))
        db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503 and response.get_json()["failing"] == ["migrations"]
    assert "flask db upgrade" in response.get_json()["checks"]["migrations"]


def test_readyz_fails_when_the_database_is_unreachable(tmp_path):
    app = create_app({**_config("postgresql+psycopg://nobody@127.0.0.1:1/none", tmp_path)})
    response = app.test_client().get("/readyz")
    body = response.get_json()
    assert response.status_code == 503 and body["failing"][0] == "database"
    assert body["checks"]["scheduler"] == "skipped"


def test_the_scheduler_process_beats_every_minute_from_start(app):
    scheduler = build_scheduler(app)
    beat = scheduler.get_job("heartbeat")
    assert beat.trigger.interval == dt.timedelta(minutes=1) and beat.next_run_time is not None
    beat.func(*beat.args)  # what the process runs
    with app.test_client() as client:
        assert client.get("/readyz").status_code == 200
