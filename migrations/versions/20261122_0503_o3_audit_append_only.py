"""audit: audit_events and state_changes are append-only in the database (issue 7 §4)

Triggers refuse every UPDATE and DELETE of a row of `audit_events` or `state_changes` (and, on
PostgreSQL, TRUNCATE), whoever issues it: the application, a raw SQL session or a foreign-key action.
Also an index for the 監査ログ page (one tenant's events, newest first).

Foreign keys: `actor_id ... ON DELETE SET NULL` and `tenant_id ... ON DELETE CASCADE` are actions
that UPDATE / DELETE these rows, so they are refused too: a user or tenant that has audit history
can no longer be deleted. Nothing in the application deletes users (the retention command
anonymises them in place) or tenants, so no exception is made; the trail outlives both.

Note for later migrations: SQLite `batch_alter_table` on either table rebuilds it and loses the
triggers; such a migration must run `drop_triggers()` / `create_triggers()` of this module around it.

Revision ID: o3_audit_append_only
Revises: o2_account_tokens
Create Date: 2026-11-22 10:00:00
"""
from alembic import op


revision = "o3_audit_append_only"
down_revision = "o2_account_tokens"
branch_labels = None
depends_on = None

TABLES = ("audit_events", "state_changes")
PG_FUNCTION = "reject_audit_change"


def _sqlite_create(table: str) -> None:
    for verb in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {verb} refused'); END"
        )


def _pg_create(table: str) -> None:
    op.execute(
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {PG_FUNCTION}()"
    )
    op.execute(
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {PG_FUNCTION}()"
    )


def create_triggers() -> None:
    """Install the append-only triggers on the current backend."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE OR REPLACE FUNCTION {PG_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
            "BEGIN\n"
            "  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP\n"
            "    USING ERRCODE = 'insufficient_privilege';\n"
            "END;\n$$"
        )
        for table in TABLES:
            _pg_create(table)
    else:
        for table in TABLES:
            _sqlite_create(table)


def drop_triggers() -> None:
    """Remove the append-only triggers (downgrade, or around a SQLite table rebuild)."""
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TABLES:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    if postgres:
        op.execute(f"DROP FUNCTION IF EXISTS {PG_FUNCTION}()")


def upgrade():
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_tenant_at", ["tenant_id", "at"], unique=False)
    create_triggers()


def downgrade():
    drop_triggers()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_tenant_at")
