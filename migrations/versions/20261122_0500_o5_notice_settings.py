"""notice settings per call and failed job runs (issue 6)

- calls.notice_settings: per-call overrides of the reminder timings (JSON, default {})
- job_failures: runs that raised (job, period, when, first line of the error), for the /jobs page

Revision ID: o5_notice_settings
Revises: n1_import_needs
Create Date: 2026-11-22 05:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = "o5_notice_settings"
down_revision = "n1_import_needs"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notice_settings", sa.JSON(), server_default=sa.text("'{}'"), nullable=False))

    op.create_table(
        "job_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sa.String(length=100), nullable=False),
        sa.Column("period_key", sa.String(length=40), nullable=True),
        sa.Column("scheduled_for", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("error", sa.String(length=500), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_job_failures_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_failures")),
    )
    with op.batch_alter_table("job_failures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_job_failures_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_job_failures_tenant_failed", ["tenant_id", "failed_at"], unique=False)


def downgrade():
    op.drop_table("job_failures")
    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_column("notice_settings")
