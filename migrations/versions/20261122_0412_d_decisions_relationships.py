"""decisions (決定通知, 辞退, 補欠・繰上げ) and provider–municipality relationships (利害関係)

- engagements.state gains "declined" (CHECK recreated); engagements.decline_reason
- decision_notices (one per recipient organisation and occasion; content frozen as JSON)
- provider_relationships (declared 利害関係; withdrawn rows kept)

Revision ID: d_decisions
Revises: c_review_rubrics
Create Date: 2026-11-22 12:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = "d_decisions"
down_revision = "c_review_rubrics"
branch_labels = None
depends_on = None

OLD_STATES = ("assigned", "accepted", "in_progress", "completed", "closed", "cancelled")
NEW_STATES = OLD_STATES + ("declined",)
KINDS = ("incumbent_vendor", "contract", "capital", "personnel", "other")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _enum(name: str, values) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete=ondelete)


def _stamps() -> list[sa.Column]:
    return [sa.Column("tenant_id", sa.Integer(), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False)]


def upgrade():
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decline_reason", sa.Text(), nullable=False, server_default=""))
        batch_op.drop_constraint(op.f("ck_engagements_engagement_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_engagements_engagement_state"), _in("state", NEW_STATES))

    op.create_table(
        "decision_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("notice_kind", ("municipality", "provider")), nullable=False),
        sa.Column("occasion", _enum("notice_occasion", ("confirmation", "promotion")), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("lines", sa.JSON(), nullable=False),
        sa.Column("respond_by", sa.Date(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_by_id", sa.Integer(), nullable=True),
        sa.Column("is_sample", sa.Boolean(), nullable=False),
        *_stamps(),
        _fk("decision_notices", "call_id", "calls", "CASCADE"),
        sa.ForeignKeyConstraint(["recipient_id"], ["organisations.id"],
                                name=op.f("fk_decision_notices_recipient_id_organisations"), ondelete="CASCADE"),
        _fk("decision_notices", "issued_by_id", "users", "SET NULL"),
        _fk("decision_notices", "read_by_id", "users", "SET NULL"),
        _fk("decision_notices", "tenant_id", "tenants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_decision_notices")),
    )
    with op.batch_alter_table("decision_notices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_decision_notices_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_decision_notices_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_decision_notices_recipient", ["tenant_id", "recipient_id", "read_at"], unique=False)

    op.create_table(
        "provider_relationships",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("kind", _enum("relationship_kind", KINDS), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_by_id", sa.Integer(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        *_stamps(),
        sa.ForeignKeyConstraint(["provider_id"], ["organisations.id"],
                                name=op.f("fk_provider_relationships_provider_id_organisations"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["municipality_id"], ["organisations.id"],
                                name=op.f("fk_provider_relationships_municipality_id_organisations"), ondelete="CASCADE"),
        _fk("provider_relationships", "declared_by_id", "users", "SET NULL"),
        _fk("provider_relationships", "withdrawn_by_id", "users", "SET NULL"),
        _fk("provider_relationships", "tenant_id", "tenants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_provider_relationships")),
    )
    with op.batch_alter_table("provider_relationships", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_provider_relationships_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_provider_relationships_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_provider_relationships_tenant_id"), ["tenant_id"], unique=False)
        batch_op.create_index("ix_provider_relationships_pair", ["tenant_id", "provider_id", "municipality_id"],
                              unique=False)


def downgrade():
    op.drop_table("provider_relationships")
    op.drop_table("decision_notices")
    with op.batch_alter_table("engagements", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_engagements_engagement_state"), type_="check")
        batch_op.create_check_constraint(op.f("ck_engagements_engagement_state"), _in("state", OLD_STATES))
        batch_op.drop_column("decline_reason")
