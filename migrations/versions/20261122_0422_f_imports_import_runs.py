"""Excel imports: import_runs (one uploaded workbook, its dry-run summary, errors and outcome)

Revision ID: f_imports
Revises: e_export_jobs
Create Date: 2026-11-22 04:22:00
"""
from alembic import op
import sqlalchemy as sa


revision = "f_imports"
down_revision = "e_export_jobs"
branch_labels = None
depends_on = None

KINDS = ("municipalities", "menu_items", "past_engagements")
STATES = ("previewed", "applied", "failed")


def _enum(name: str, values) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_import_runs_{column}_{target}"),
                                   ondelete=ondelete)


def upgrade():
    op.create_table(
        "import_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("import_kind", KINDS), nullable=False),
        sa.Column("state", _enum("import_state", STATES), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("stored_name", sa.String(length=80), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("size_bytes >= 0", name=op.f("ck_import_runs_size_not_negative")),
        _fk("created_by_id", "users", "SET NULL"),
        _fk("tenant_id", "tenants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_runs")),
    )
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_import_runs_tenant_id"), ["tenant_id"], unique=False)


def downgrade():
    op.drop_table("import_runs")
