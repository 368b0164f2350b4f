"""imports: import_runs.kind gains "providers" and "bodies" (組織管理: 会員企業・専門家, 教育委員会・商工会; CHECK recreated)

Revision ID: q7_import_kind_orgs
Revises: q1_questionnaires
Create Date: 2026-12-08 03:20:00
"""
from alembic import op


revision = "q7_import_kind_orgs"
down_revision = "q1_questionnaires"
branch_labels = None
depends_on = None

OLD_KINDS = ("municipalities", "menu_items", "past_engagements", "needs_answers")
NEW_KINDS = OLD_KINDS + ("providers", "bodies")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _recreate(kinds) -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_import_runs_import_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_import_runs_import_kind"), _in("kind", kinds))


def upgrade():
    _recreate(NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM import_runs WHERE kind IN ('providers', 'bodies')")
    _recreate(OLD_KINDS)
