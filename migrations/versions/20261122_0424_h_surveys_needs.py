"""survey requests (送付・督促・回答リンク), follow-up survey kind, needs survey (DX課題把握アンケート)

- survey_responses.kind ("initial" | "follow_up"); unique (engagement_id, kind) replaces unique engagement_id
- survey_requests (one per engagement and kind; link token stored as SHA-256 hex only)
- needs_survey_rounds (one per fiscal year) and needs_survey_responses (one per round and municipality)

Revision ID: h_surveys_needs
Revises: g_engagement_delivery
Create Date: 2026-11-22 04:24:00
"""
from alembic import op
import sqlalchemy as sa


revision = "h_surveys_needs"
down_revision = "g_engagement_delivery"
branch_labels = None
depends_on = None

KINDS = ("initial", "follow_up")


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete)


def _stamps() -> list[sa.Column]:
    return [sa.Column("tenant_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)]


def _kind_check(table: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"kind IN ({', '.join(repr(k) for k in KINDS)})", name=op.f(f"ck_{table}_survey_kind"))


def upgrade():
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.add_column(sa.Column("kind", sa.String(length=32), nullable=False, server_default="initial"))
        batch_op.create_check_constraint(op.f("ck_survey_responses_survey_kind"), f"kind IN ({', '.join(repr(k) for k in KINDS)})")
        batch_op.drop_constraint(op.f("uq_survey_responses_engagement_id"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_survey_responses_engagement_id_kind"), ["engagement_id", "kind"])
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.alter_column("kind", server_default=None)

    op.create_table(
        "survey_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("engagement_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("link_token_hash", sa.String(length=64), nullable=True),
        sa.Column("link_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminder_count", sa.Integer(), nullable=False),
        sa.Column("last_reminded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reminders", sa.JSON(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        *_stamps(),
        _kind_check("survey_requests"),
        sa.CheckConstraint("reminder_count >= 0", name=op.f("ck_survey_requests_reminder_count_not_negative")),
        _fk("survey_requests", "engagement_id", "engagements", "CASCADE"),
        _fk("survey_requests", "tenant_id", "tenants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_requests")),
        sa.UniqueConstraint("engagement_id", "kind", name=op.f("uq_survey_requests_engagement_id_kind")),
        sa.UniqueConstraint("link_token_hash", name=op.f("uq_survey_requests_link_token_hash")),
    )
    with op.batch_alter_table("survey_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_requests_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "needs_survey_rounds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fiscal_year", sa.Integer(), nullable=False),
        sa.Column("opens_on", sa.Date(), nullable=False),
        sa.Column("closes_on", sa.Date(), nullable=False),
        sa.Column("reminders", sa.JSON(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("closes_on >= opens_on", name=op.f("ck_needs_survey_rounds_window_order")),
        _fk("needs_survey_rounds", "tenant_id", "tenants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs_survey_rounds")),
        sa.UniqueConstraint("tenant_id", "fiscal_year", name=op.f("uq_needs_survey_rounds_tenant_id_fiscal_year")),
    )
    with op.batch_alter_table("needs_survey_rounds", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_needs_survey_rounds_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "needs_survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("maturity", sa.Integer(), nullable=False),
        sa.Column("comments", sa.JSON(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        *_stamps(),
        sa.CheckConstraint("maturity >= 0", name=op.f("ck_needs_survey_responses_maturity_not_negative")),
        _fk("needs_survey_responses", "round_id", "needs_survey_rounds", "CASCADE"),
        sa.ForeignKeyConstraint(["municipality_id"], ["organisations.id"],
                                name=op.f("fk_needs_survey_responses_municipality_id_organisations"), ondelete="CASCADE"),
        _fk("needs_survey_responses", "submitted_by_id", "users", "SET NULL"),
        _fk("needs_survey_responses", "tenant_id", "tenants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_needs_survey_responses")),
        sa.UniqueConstraint("round_id", "municipality_id", name=op.f("uq_needs_survey_responses_round_id_municipality_id")),
    )
    with op.batch_alter_table("needs_survey_responses", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_needs_survey_responses_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_needs_survey_responses_tenant_id"), ["tenant_id"], unique=False)


def downgrade():
    op.drop_table("needs_survey_responses")
    op.drop_table("needs_survey_rounds")
    op.drop_table("survey_requests")
    op.execute("DELETE FROM survey_responses WHERE kind != 'initial'")
    with op.batch_alter_table("survey_responses", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("uq_survey_responses_engagement_id_kind"), type_="unique")
        batch_op.create_unique_constraint(op.f("uq_survey_responses_engagement_id"), ["engagement_id"])
        batch_op.drop_constraint(op.f("ck_survey_responses_survey_kind"), type_="check")
        batch_op.drop_column("kind")
