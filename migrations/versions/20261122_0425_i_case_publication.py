"""cases: approval by the municipality AND the provider, held-back fields, search text

- cases.case_state gains awaiting_provider, awaiting_municipality (CHECK recreated)
- cases.municipal_approved_at/_by_id, provider_approved_at/_by_id, municipal_held_back,
  provider_held_back (JSON lists of field names), provider_comment, search_text
- data: cases approved under the old one-party flow wait for the provider (awaiting_provider),
  their municipal approval kept; published cases stay published

Revision ID: i_case_publication
Revises: h_surveys_needs
Create Date: 2026-11-22 04:25:00
"""
import sqlalchemy as sa
from alembic import op

revision = "i_case_publication"
down_revision = "h_surveys_needs"
branch_labels = None
depends_on = None

OLD_STATES = ("draft", "awaiting_approval", "approved", "published")
NEW_STATES = ("draft", "awaiting_approval", "awaiting_provider", "awaiting_municipality", "approved", "published")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_cases_case_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_cases_case_state"), _in("state", NEW_STATES))
        batch_op.add_column(sa.Column("provider_comment", sa.Text(), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("municipal_approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("municipal_approved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("municipal_held_back", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("provider_approved_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("provider_approved_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("provider_held_back", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
        batch_op.create_foreign_key(op.f("fk_cases_municipal_approved_by_id_users"), "users",
                                    ["municipal_approved_by_id"], ["id"], ondelete="SET NULL")
        batch_op.create_foreign_key(op.f("fk_cases_provider_approved_by_id_users"), "users",
                                    ["provider_approved_by_id"], ["id"], ondelete="SET NULL")
    op.execute("UPDATE cases SET municipal_approved_at = approved_at, municipal_approved_by_id = approved_by_id "
               "WHERE state IN ('approved', 'published')")
    op.execute("UPDATE cases SET state = 'awaiting_provider', approved_at = NULL, approved_by_id = NULL WHERE state = 'approved'")


def downgrade():
    op.execute("UPDATE cases SET state = 'awaiting_approval' WHERE state IN ('awaiting_provider', 'awaiting_municipality')")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("fk_cases_provider_approved_by_id_users"), type_="foreignkey")
        batch_op.drop_constraint(op.f("fk_cases_municipal_approved_by_id_users"), type_="foreignkey")
        for column in ("search_text", "provider_held_back", "provider_approved_by_id", "provider_approved_at",
                       "municipal_held_back", "municipal_approved_by_id", "municipal_approved_at", "provider_comment"):
            batch_op.drop_column(column)
        batch_op.drop_constraint(op.f("ck_cases_case_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_cases_case_state"), _in("state", OLD_STATES))
