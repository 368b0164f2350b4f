"""notifications outbox, per-user preferences and the job run ledger (issue 6)

- notifications (queued → sending → sent / failed, or in_app_only; dedupe key unique per tenant)
- notification_preferences (one per user)
- job_runs (unique job, tenant, period: exactly-once runs)

Revision ID: j_notifications_jobs
Revises: i_case_publication
Create Date: 2026-11-22 04:26:00
"""
from alembic import op
import sqlalchemy as sa


revision = "j_notifications_jobs"
down_revision = "i_case_publication"
branch_labels = None
depends_on = None

STATES = ("queued", "sending", "sent", "failed", "in_app_only")
TRANSPORTS = ("smtp", "store")
CHANNELS = ("email_and_in_app", "in_app_only")


def _enum(name: str, values) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete)


def upgrade():
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("state", _enum("notification_state", STATES), nullable=False),
        sa.Column("transport", _enum("notification_transport", TRANSPORTS), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_notifications_attempts_not_negative")),
        _fk("notifications", "user_id", "users", "CASCADE"),
        _fk("notifications", "organisation_id", "organisations", "SET NULL"),
        _fk("notifications", "tenant_id", "tenants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("tenant_id", "dedupe_key", name=op.f("uq_notifications_tenant_id_dedupe_key")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notifications_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_notifications_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_notifications_user_unread", ["tenant_id", "user_id", "read_at"], unique=False)
        batch_op.create_index("ix_notifications_outbox", ["tenant_id", "state", "next_attempt_at"], unique=False)

    op.create_table(
        "notification_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", _enum("notification_channel", CHANNELS), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _fk("notification_preferences", "user_id", "users", "CASCADE"),
        _fk("notification_preferences", "tenant_id", "tenants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_preferences")),
        sa.UniqueConstraint("user_id", name=op.f("uq_notification_preferences_user_id")),
    )
    with op.batch_alter_table("notification_preferences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_preferences_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "job_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=100), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=False),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("summary", sa.String(length=500), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _fk("job_runs", "tenant_id", "tenants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_runs")),
        sa.UniqueConstraint("job_id", "tenant_id", "period_key", name=op.f("uq_job_runs_job_id_tenant_id_period_key")),
    )
    with op.batch_alter_table("job_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_runs_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_job_runs_tenant_started", ["tenant_id", "started_at"], unique=False)


def downgrade():
    op.drop_table("job_runs")
    op.drop_table("notification_preferences")
    op.drop_table("notifications")
