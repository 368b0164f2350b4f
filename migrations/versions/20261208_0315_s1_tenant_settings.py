"""tenant settings in the database (issue 13 §3-4): contact details, notification texts, tile layout

- tenants.profile: contact details shown on notices (JSON {"phone", "email", "address", "head_title"})
- tenants.notification_texts: per-tenant overrides of notice texts (JSON {kind: {"subject", "body"}})
- tenants.tile_layout: the tile-map layout (JSON [[lg_code, row, col], …]; NULL = not set)
- tenants.version_id: bumped by every 事業設定 save (optimistic locking of the settings forms)

Revision ID: s1_tenant_settings
Revises: o3_audit_append_only
Create Date: 2026-12-08 03:15:00
"""
from alembic import op
import sqlalchemy as sa


revision = "s1_tenant_settings"
down_revision = "o3_audit_append_only"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (no batch): a batch rebuild of `tenants` on SQLite would cascade-delete every
    # tenant's rows (tests/test_migrations.py).
    op.add_column("tenants", sa.Column("profile", sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    op.add_column("tenants", sa.Column("notification_texts", sa.JSON(), server_default=sa.text("'{}'"), nullable=False))
    op.add_column("tenants", sa.Column("tile_layout", sa.JSON(), nullable=True))
    op.add_column("tenants", sa.Column("version_id", sa.Integer(), server_default=sa.text("1"), nullable=False))


def downgrade():
    # Plain DROP COLUMN, never a batch rebuild: rebuilding `tenants` on SQLite drops the table, and
    # with foreign keys on that cascades to every tenant's rows (tests/test_migrations.py).
    for column in ("version_id", "tile_layout", "notification_texts", "profile"):
        if op.get_bind().dialect.name == "sqlite":
            op.execute(f"ALTER TABLE tenants DROP COLUMN {column}")
        else:
            op.drop_column("tenants", column)
