"""secure defaults (issue 14): server-side TOTP pending logins, sealed password links in the
outbox, the scheduler heartbeat

Revision ID: s14_secure_defaults
Revises: p1_tenant_status
Create Date: 2026-12-08 03:20:00

Data: invitation and reset mails already in the outbox hold their link in clear in `body` and
`link`. The link is removed (the body gets the placeholder of app/notifications/sealing.py, `link`
is emptied); such mails not yet sent cannot be sealed here (the key is outside the database), so
they are marked failed with a note to send the invitation or reset again.
"""
from alembic import op
import sqlalchemy as sa


revision = "s14_secure_defaults"
down_revision = "p1_tenant_status"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
PLACEHOLDER = "［パスワード設定用のリンク：メールにのみ記載］"  # = app.notifications.sealing.LINK_PLACEHOLDER
LINK_KINDS = ("accounts.invite", "accounts.reset")


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE"):
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete)


def upgrade():
    op.create_table(
        "pending_logins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("next_url", sa.String(length=500), nullable=False),
        _fk("pending_logins", "tenant_id", "tenants"),
        _fk("pending_logins", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_logins")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_pending_logins_token_hash")),
    )
    with op.batch_alter_table("pending_logins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_pending_logins_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_pending_logins_user_id"), ["user_id"], unique=False)
    op.create_table(
        "process_heartbeats",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("beat_at", TS, nullable=False),
        sa.Column("host", sa.String(length=100), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_process_heartbeats")),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("sealed_link", sa.Text(), server_default="", nullable=False))
    _scrub_clear_links()


def _scrub_clear_links():
    notifications = sa.table("notifications", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                             sa.column("body", sa.Text), sa.column("link", sa.String), sa.column("state", sa.String),
                             sa.column("last_error", sa.Text))
    conn = op.get_bind()
    rows = conn.execute(sa.select(notifications.c.id, notifications.c.body, notifications.c.link, notifications.c.state)
                        .where(notifications.c.kind.in_(LINK_KINDS))).all()
    for row in rows:
        values = {"body": row.body.replace(row.link, PLACEHOLDER) if row.link else row.body, "link": ""}
        if row.state in ("queued", "sending"):
            values.update(state="failed", last_error="安全のため送信を取り消しました。招待またはパスワード再設定をもう一度行ってください。")
        conn.execute(sa.update(notifications).where(notifications.c.id == row.id).values(**values))


def downgrade():
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("sealed_link")
    op.drop_table("process_heartbeats")
    with op.batch_alter_table("pending_logins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_logins_user_id"))
        batch_op.drop_index(batch_op.f("ix_pending_logins_tenant_id"))
    op.drop_table("pending_logins")
