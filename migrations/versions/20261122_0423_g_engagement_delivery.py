"""engagement delivery: kickoff, planned dates, completion date, session time/categories, attachments

- engagements: kickoff_issues, kickoff_goals, planned_sessions (CHECK 1–100), kickoff_drafted_at,
  kickoff_at, kickoff_by_id, completed_at
- engagement_planned_dates (planned session dates agreed at kickoff)
- support_sessions: start_time, categories
- session_attachments (files stored under random tokens outside the web root)

Revision ID: g_engagement_delivery
Revises: f_imports
Create Date: 2026-11-22 04:23:00
"""
from alembic import op
import sqlalchemy as sa


revision = "g_engagement_delivery"
down_revision = "f_imports"
branch_labels = None
depends_on = None


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete)


def upgrade():
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kickoff_issues", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("kickoff_goals", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("planned_sessions", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("kickoff_drafted_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("kickoff_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("kickoff_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(op.f("fk_engagements_kickoff_by_id_users"), "users", ["kickoff_by_id"], ["id"],
                                    ondelete="SET NULL")
        batch_op.create_check_constraint(op.f("ck_engagements_planned_sessions_range"),
                                         "planned_sessions BETWEEN 1 AND 100")

    with op.batch_alter_table("support_sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_time", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("categories", sa.JSON(), nullable=False, server_default="[]"))

    op.create_table(
        "engagement_planned_dates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("planned_on", sa.Date(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        _fk("engagement_planned_dates", "engagement_id", "engagements", "CASCADE"),
        _fk("engagement_planned_dates", "tenant_id", "tenants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement_planned_dates")),
    )
    with op.batch_alter_table("engagement_planned_dates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_engagement_planned_dates_engagement_id"), ["engagement_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_engagement_planned_dates_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "session_attachments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=255), nullable=False),
        sa.Column("storage_token", sa.String(length=64), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size_bytes > 0", name=op.f("ck_session_attachments_size_positive")),
        _fk("session_attachments", "session_id", "support_sessions", "CASCADE"),
        _fk("session_attachments", "uploaded_by_id", "users", "SET NULL"),
        _fk("session_attachments", "tenant_id", "tenants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_attachments")),
        sa.UniqueConstraint("storage_token", name=op.f("uq_session_attachments_storage_token")),
    )
    with op.batch_alter_table("session_attachments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_session_attachments_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_session_attachments_tenant_id"), ["tenant_id"], unique=False)


def downgrade():
    op.drop_table("session_attachments")
    op.drop_table("engagement_planned_dates")
    with op.batch_alter_table("support_sessions", schema=None) as batch_op:
        batch_op.drop_column("categories")
        batch_op.drop_column("start_time")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_engagements_planned_sessions_range"), type_="check")
        batch_op.drop_constraint(op.f("fk_engagements_kickoff_by_id_users"), type_="foreignkey")
        for column in ("completed_at", "kickoff_by_id", "kickoff_at", "kickoff_drafted_at", "planned_sessions",
                       "kickoff_goals", "kickoff_issues"):
            batch_op.drop_column(column)
