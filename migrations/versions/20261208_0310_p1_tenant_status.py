"""tenancy: tenants.status (準備中 / 公開中 / 停止中 / 終了) replaces tenants.is_active (issue 13 §2)

Existing tenants: is_active true → open, false → suspended (is_active was set by nothing but tests).

Revision ID: p1_tenant_status
Revises: o3_audit_append_only
Create Date: 2026-12-08 03:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = "p1_tenant_status"
down_revision = "o3_audit_append_only"
branch_labels = None
depends_on = None

STATUSES = ("preparing", "open", "suspended", "archived")


def upgrade():
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=32), nullable=True))
    op.execute("UPDATE tenants SET status = CASE WHEN is_active THEN 'open' ELSE 'suspended' END")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=32), nullable=False)
        batch_op.create_check_constraint(op.f("ck_tenants_tenant_status"),
                                         f"status IN ({', '.join(repr(s) for s in STATUSES)})")
        batch_op.drop_column("is_active")


def downgrade():
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("is_active", sa.Boolean(), nullable=True))
    op.execute("UPDATE tenants SET is_active = (status = 'open')")
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.alter_column("is_active", existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_constraint(op.f("ck_tenants_tenant_status"), type_="check")
        batch_op.drop_column("status")
