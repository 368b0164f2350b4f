"""auth: login_throttles keyed per (tenant, e-mail, client address) (issue 14 §3)

A lock per account alone let anyone lock a person out from any address; the key now includes the
client address (app/auth/throttle.py). Existing rows are short-lived counters with no address, so
they are deleted rather than given a made-up one.

Revision ID: p_limits_throttle_address
Revises: s1_tenant_settings
Create Date: 2026-12-08 03:20:00
"""
import sqlalchemy as sa
from alembic import op


revision = "p_limits_throttle_address"
down_revision = "s1_tenant_settings"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("DELETE FROM login_throttles")
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.add_column(sa.Column("client_address", sa.String(length=64), nullable=False))
        batch_op.drop_constraint("uq_login_throttles_tenant_key_email", type_="unique")
        batch_op.create_unique_constraint(
            batch_op.f("uq_login_throttles_tenant_key_email_client_address"), ["tenant_key", "email", "client_address"])


def downgrade():
    op.execute("DELETE FROM login_throttles")
    with op.batch_alter_table("login_throttles", schema=None) as batch_op:
        batch_op.drop_constraint("uq_login_throttles_tenant_key_email_client_address", type_="unique")
        batch_op.create_unique_constraint(batch_op.f("uq_login_throttles_tenant_key_email"), ["tenant_key", "email"])
        batch_op.drop_column("client_address")
