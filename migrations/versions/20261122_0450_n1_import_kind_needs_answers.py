"""imports: import_runs.kind gains "needs_answers" (DX課題把握アンケートの回答; CHECK recreated)

Revision ID: n1_import_needs
Revises: j_notifications_jobs
Create Date: 2026-11-22 04:50:00
"""
from alembic import op


revision = "n1_import_needs"
down_revision = "j_notifications_jobs"
branch_labels = None
depends_on = None

OLD_KINDS = ("municipalities", "menu_items", "past_engagements")
NEW_KINDS = OLD_KINDS + ("needs_answers",)


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _recreate(kinds) -> None:
    with op.batch_alter_table("import_runs", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_import_runs_import_kind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_import_runs_import_kind"), _in("kind", kinds))


def upgrade():
    _recreate(NEW_KINDS)


def downgrade():
    op.execute("DELETE FROM import_runs WHERE kind = 'needs_answers'")
    _recreate(OLD_KINDS)
