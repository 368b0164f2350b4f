"""List pages issue a number of SQL statements that does not grow with the rows (no N+1)."""
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app.cases.services import create_case_draft, transition_case
from app.engagements.states import EngagementState
from app.extensions import db
from tests.cases.helpers import PATH
from tests.conftest import in_tenant, login
from tests.engagements import builders

LG_CODES = ["072010", "072028", "072036", "072044", "072052", "072079"]


@contextmanager
def counting(app):
    statements = []

    def _count(conn, cursor, statement, *args):
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", _count)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", _count)


def _add(app, lg_codes):
    with in_tenant(app) as t:
        for i, code in enumerate(lg_codes):
            e = builders.engagement(t, state=EngagementState.CLOSED, lg_code=code, provider_name=f"会員企業{i}")
            case = create_case_draft(e, actor=None)
            for target in PATH[1:]:  # the cases domain's normal path to PUBLISHED
                transition_case(case, target, actor=None)
        db.session.commit()


@pytest.mark.parametrize("url", ["/t/fukushima/engagements", "/t/fukushima/cases", "/t/fukushima/cases/manage",
                                 "/t/fukushima/surveys?fiscal_year=2024"])
def test_list_pages_have_a_bounded_number_of_queries(app, client, url):
    with in_tenant(app) as t:
        builders.users(t)
        db.session.commit()
    login(client, "op@example.jp")
    _add(app, LG_CODES[:2])
    with counting(app) as few:
        assert client.get(url).status_code == 200
    _add(app, LG_CODES[2:])
    with counting(app) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few), "\n".join(many)
