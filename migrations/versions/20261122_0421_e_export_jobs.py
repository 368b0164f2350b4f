"""export jobs (Excel出力: long list exports built off the request path, with progress)

Revision ID: e_export_jobs
Revises: d_decisions
Create Date: 2026-11-22 04:21:00
"""
from alembic import op
import sqlalchemy as sa


revision = "e_export_jobs"
down_revision = "d_decisions"
branch_labels = None
depends_on = None

STATES = ("queued", "running", "done", "failed")


def upgrade():
    op.create_table(
        "export_jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("export_name", sa.String(length=40), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("state", sa.Enum(*STATES, name="export_job_state", native_enum=False, create_constraint=True, length=32),
                  nullable=False),
        sa.Column("rows_done", sa.Integer(), nullable=False),
        sa.Column("rows_total", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=64), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("rows_done >= 0 AND rows_total >= 0", name=op.f("ck_export_jobs_rows_non_negative")),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"], name=op.f("fk_export_jobs_requested_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_export_jobs_tenant_id_tenants"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_export_jobs")),
    )
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_export_jobs_requested_by_id"), ["requested_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_export_jobs_tenant_id"), ["tenant_id"], unique=False)


def downgrade():
    with op.batch_alter_table("export_jobs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_export_jobs_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_export_jobs_requested_by_id"))
    op.drop_table("export_jobs")
