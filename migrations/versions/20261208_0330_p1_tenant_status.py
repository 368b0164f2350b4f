"""tenancy: tenants.status (準備中 / 公開中 / 停止中 / 終了) replaces tenants.is_active (issue 13 §2)

Existing tenants: is_active true → open, false → suspended (is_active was set by nothing but tests).

No table rebuild on SQLite: `batch_alter_table` would copy and DROP `tenants`, and with foreign
keys on, dropping it deletes every tenant's rows (ON DELETE CASCADE). SQLite ≥ 3.35 adds and drops
these columns in place (ADD COLUMN with a named CHECK, DROP COLUMN).

Revision ID: p1_tenant_status
Revises: p_limits_throttle_address
Create Date: 2026-12-08 03:10:00
"""
from alembic import op
import sqlalchemy as sa


revision = "p1_tenant_status"
down_revision = "p_limits_throttle_address"
branch_labels = None
depends_on = None

STATUSES = ("preparing", "open", "suspended", "archived")
CHECK = f"status IN ({', '.join(repr(s) for s in STATUSES)})"
CHECK_NAME = "ck_tenants_tenant_status"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade():
    if _sqlite():
        op.execute(f"ALTER TABLE tenants ADD COLUMN status VARCHAR(32) NOT NULL DEFAULT 'open' "
                   f"CONSTRAINT {CHECK_NAME} CHECK ({CHECK})")
        op.execute("UPDATE tenants SET status = CASE WHEN is_active THEN 'open' ELSE 'suspended' END")
        op.execute("ALTER TABLE tenants DROP COLUMN is_active")
        return
    op.add_column("tenants", sa.Column("status", sa.String(length=32), nullable=True))
    op.execute("UPDATE tenants SET status = CASE WHEN is_active THEN 'open' ELSE 'suspended' END")
    op.alter_column("tenants", "status", existing_type=sa.String(length=32), nullable=False)
    op.create_check_constraint(op.f(CHECK_NAME), "tenants", CHECK)
    op.drop_column("tenants", "is_active")


def downgrade():
    if _sqlite():
        op.execute("ALTER TABLE tenants ADD COLUMN is_active BOOLEAN NOT NULL DEFAULT 1")
        op.execute("UPDATE tenants SET is_active = (status = 'open')")
        op.execute("ALTER TABLE tenants DROP COLUMN status")  # its CHECK is its own column constraint
        return
    op.add_column("tenants", sa.Column("is_active", sa.Boolean(), nullable=True))
    op.execute("UPDATE tenants SET is_active = (status = 'open')")
    op.alter_column("tenants", "is_active", existing_type=sa.Boolean(), nullable=False)
    op.drop_constraint(op.f(CHECK_NAME), "tenants", type_="check")
    op.drop_column("tenants", "status")
