"""questionnaires: the 事後アンケート and DX課題把握アンケート stored versioned (issue 13 §3–4)

- questionnaires: (tenant, kind 'survey' | 'needs', version) → definition JSON, who and when; the
  highest version is current; rows are only added
- survey_responses.questionnaire_version, needs_survey_responses.questionnaire_version: the version
  an answer was given against. Existing answers were given against the tenant's files, which
  `flask tenants sync` stores as version 1, so they are backfilled to 1.

Revision ID: q1_questionnaires
Revises: s14_secure_defaults
Create Date: 2026-12-08 03:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = "q1_questionnaires"
down_revision = "s14_secure_defaults"
branch_labels = None
depends_on = None

RESPONSE_TABLES = ("survey_responses", "needs_survey_responses")


def upgrade():
    op.create_table(
        "questionnaires",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.Enum("survey", "needs", name="questionnaire_kind", native_enum=False,
                                  create_constraint=True, length=32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 1", name=op.f("ck_questionnaires_version_positive")),
        sa.ForeignKeyConstraint(["created_by_id"], ["users.id"], name=op.f("fk_questionnaires_created_by_id_users"),
                                ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_questionnaires_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaires")),
        sa.UniqueConstraint("tenant_id", "kind", "version", name=op.f("uq_questionnaires_tenant_id_kind_version")),
    )
    with op.batch_alter_table("questionnaires", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_questionnaires_tenant_id"), ["tenant_id"], unique=False)
    for table in RESPONSE_TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column("questionnaire_version", sa.Integer(), server_default="1", nullable=False))


def downgrade():
    # Plain DROP COLUMN on SQLite, never a batch rebuild: rebuilding a table that others reference
    # cascades to their rows.
    for table in RESPONSE_TABLES:
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE {table} DROP COLUMN questionnaire_version")
        else:
            op.drop_column(table, "questionnaire_version")
    op.drop_table("questionnaires")
