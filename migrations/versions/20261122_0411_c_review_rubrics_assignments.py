"""reviews: per-call weighted rubrics, application reviews, justifications, reviewer
assignments and conflict-of-interest declarations (issue 3 items 4-5)

Revision ID: c_review_rubrics
Revises: b_program_rules
Create Date: 2026-11-22 12:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = "c_review_rubrics"
down_revision = "b_program_rules"
branch_labels = None
depends_on = None

ONE_TARGET = (
    "(target = 'proposal' AND proposal_id IS NOT NULL AND application_id IS NULL) OR "
    "(target = 'application' AND application_id IS NOT NULL AND proposal_id IS NULL)"
)


def _target(name: str) -> sa.Enum:
    return sa.Enum("proposal", "application", name=name, native_enum=False, create_constraint=True, length=32)


def _item_columns(table: str, reviewer_ondelete: str) -> list:
    return [
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("proposal_id", sa.Integer(), nullable=True),
        sa.Column("application_id", sa.Integer(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f(f"fk_{table}_call_id_calls"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["proposal_id"], ["menu_proposals.id"],
                                name=op.f(f"fk_{table}_proposal_id_menu_proposals"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f(f"fk_{table}_application_id_applications"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"], name=op.f(f"fk_{table}_reviewer_id_users"),
                                ondelete=reviewer_ondelete),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f(f"fk_{table}_tenant_id_tenants"), ondelete="CASCADE"),
        sa.CheckConstraint(ONE_TARGET, name=op.f(f"ck_{table}_one_target")),
        sa.UniqueConstraint("proposal_id", "reviewer_id", name=op.f(f"uq_{table}_proposal_id_reviewer_id")),
        sa.UniqueConstraint("application_id", "reviewer_id", name=op.f(f"uq_{table}_application_id_reviewer_id")),
    ]


def _item_indexes(table: str) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        for column in ("call_id", "proposal_id", "application_id", "reviewer_id", "tenant_id"):
            batch_op.create_index(batch_op.f(f"ix_{table}_{column}"), [column], unique=False)


def upgrade():
    op.create_table(
        "review_criteria",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("call_id", sa.Integer(), nullable=False),
        sa.Column("target", _target("review_criterion_target"), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("max_points", sa.Integer(), nullable=False),
        sa.Column("weight", sa.Float(), nullable=False),
        sa.Column("is_required", sa.Boolean(), nullable=False),
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("max_points BETWEEN 1 AND 100", name=op.f("ck_review_criteria_max_points_range")),
        sa.CheckConstraint("weight > 0", name=op.f("ck_review_criteria_weight_positive")),
        sa.ForeignKeyConstraint(["call_id"], ["calls.id"], name=op.f("fk_review_criteria_call_id_calls"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name=op.f("fk_review_criteria_tenant_id_tenants"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_criteria")),
        sa.UniqueConstraint("call_id", "target", "key", name=op.f("uq_review_criteria_call_id_target_key")),
    )
    with op.batch_alter_table("review_criteria", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_criteria_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_criteria_tenant_id"), ["tenant_id"], unique=False)

    op.create_table(
        "review_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", _target("review_assignment_target"), nullable=False),
        *_item_columns("review_assignments", "CASCADE"),
        sa.Column("is_automatic", sa.Boolean(), nullable=False),
        sa.Column("assigned_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["assigned_by_id"], ["users.id"], name=op.f("fk_review_assignments_assigned_by_id_users"),
                                ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_assignments")),
    )
    _item_indexes("review_assignments")

    op.create_table(
        "conflict_declarations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("target", _target("conflict_declaration_target"), nullable=False),
        *_item_columns("conflict_declarations", "CASCADE"),
        sa.Column("has_conflict", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("NOT has_conflict OR reason != ''", name=op.f("ck_conflict_declarations_reason_when_conflict")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conflict_declarations")),
    )
    _item_indexes("conflict_declarations")

    # reviews: from "proposals only" to proposals or applications, with call, justifications and
    # the weighted score. Existing rows are proposal reviews; their call is the proposal's.
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("target", _target("review_target"), nullable=False, server_default="proposal"))
        batch_op.add_column(sa.Column("application_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("justifications", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("weighted_score", sa.Float(), nullable=False, server_default="0"))
    op.execute("UPDATE reviews SET call_id = (SELECT menu_proposals.call_id FROM menu_proposals "
               "WHERE menu_proposals.id = reviews.proposal_id)")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.alter_column("call_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("proposal_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("target", server_default=None, existing_type=_target("review_target"), existing_nullable=False)
        batch_op.alter_column("justifications", server_default=None, existing_type=sa.JSON(), existing_nullable=False)
        batch_op.alter_column("weighted_score", server_default=None, existing_type=sa.Float(), existing_nullable=False)
        batch_op.create_foreign_key(batch_op.f("fk_reviews_call_id_calls"), "calls", ["call_id"], ["id"], ondelete="CASCADE")
        batch_op.create_foreign_key(batch_op.f("fk_reviews_application_id_applications"), "applications",
                                    ["application_id"], ["id"], ondelete="CASCADE")
        batch_op.create_unique_constraint(batch_op.f("uq_reviews_application_id_reviewer_id"), ["application_id", "reviewer_id"])
        batch_op.create_check_constraint(batch_op.f("ck_reviews_one_target"), ONE_TARGET)
        batch_op.create_check_constraint(batch_op.f("ck_reviews_weighted_score_range"), "weighted_score BETWEEN 0 AND 100")
        batch_op.create_index(batch_op.f("ix_reviews_call_id"), ["call_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_reviews_application_id"), ["application_id"], unique=False)


def downgrade():
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reviews_application_id"))
        batch_op.drop_index(batch_op.f("ix_reviews_call_id"))
        batch_op.drop_constraint(batch_op.f("ck_reviews_weighted_score_range"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_reviews_one_target"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_reviews_review_target"), type_="check")
        batch_op.drop_constraint(batch_op.f("uq_reviews_application_id_reviewer_id"), type_="unique")
        batch_op.drop_constraint(batch_op.f("fk_reviews_application_id_applications"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("fk_reviews_call_id_calls"), type_="foreignkey")
    op.execute("DELETE FROM reviews WHERE proposal_id IS NULL")
    with op.batch_alter_table("reviews", schema=None) as batch_op:
        batch_op.alter_column("proposal_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("weighted_score")
        batch_op.drop_column("justifications")
        batch_op.drop_column("application_id")
        batch_op.drop_column("target")
        batch_op.drop_column("call_id")
    for table in ("conflict_declarations", "review_assignments"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column in ("tenant_id", "reviewer_id", "application_id", "proposal_id", "call_id"):
                batch_op.drop_index(batch_op.f(f"ix_{table}_{column}"))
        op.drop_table(table)
    with op.batch_alter_table("review_criteria", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_criteria_tenant_id"))
        batch_op.drop_index(batch_op.f("ix_review_criteria_call_id"))
    op.drop_table("review_criteria")
