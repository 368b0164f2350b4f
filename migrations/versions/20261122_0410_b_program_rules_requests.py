"""program rules as tenant data; applicant bodies beyond municipalities; 派遣依頼 (continuous / on-demand calls)

- tenants.provider_label (会員企業 / ICTエキスパート / 推進アドバイザー)
- organisations.kind gains board_of_education, chamber_of_commerce (CHECK recreated); organisations.themes
- calls.call_model (annual | continuous | on_demand, CHECK) and calls.max_dispatches_per_body (CHECK >= 1)
- applications.decision_reason

Revision ID: b_program_rules
Revises: 9e79b3a80abe
Create Date: 2026-11-22 12:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "b_program_rules"
down_revision = "9e79b3a80abe"
branch_labels = None
depends_on = None

OLD_KINDS = ("office", "municipality", "provider")
NEW_KINDS = OLD_KINDS + ("board_of_education", "chamber_of_commerce")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provider_label", sa.String(length=40), nullable=False, server_default="会員企業"))

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("themes", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.drop_constraint(op.f("ck_organisations_organisation_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_organisations_organisation_kind"), _in("kind", NEW_KINDS))

    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.add_column(sa.Column("call_model", sa.Enum("annual", "continuous", "on_demand", name="call_model",
                                                             native_enum=False, create_constraint=False, length=32),
                                      nullable=False, server_default="annual"))
        batch_op.add_column(sa.Column("max_dispatches_per_body", sa.Integer(), nullable=True))
        batch_op.create_check_constraint(op.f("ck_calls_call_model"), _in("call_model", ("annual", "continuous", "on_demand")))
        batch_op.create_check_constraint(op.f("ck_calls_max_dispatches_positive"),
                                         "max_dispatches_per_body IS NULL OR max_dispatches_per_body >= 1")

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision_reason", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_column("decision_reason")

    with op.batch_alter_table("calls", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_calls_max_dispatches_positive"), type_="check")
        batch_op.drop_constraint(op.f("ck_calls_call_model"), type_="check")
        batch_op.drop_column("max_dispatches_per_body")
        batch_op.drop_column("call_model")

    with op.batch_alter_table("organisations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_organisations_organisation_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_organisations_organisation_kind"), _in("kind", OLD_KINDS))
        batch_op.drop_column("themes")

    with op.batch_alter_table("tenants", schema=None) as batch_op:
        batch_op.drop_column("provider_label")
