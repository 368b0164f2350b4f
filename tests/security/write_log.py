"""Which tables a request really wrote: every INSERT, UPDATE and DELETE the engine runs, kept
when its transaction commits and forgotten when it rolls back.

Cheaper than a whole-database fingerprint per post (tests/test_isolation.py `_snapshot`) and
stricter: it also sees an UPDATE that leaves `updated_at` and `version_id` as they were.
"""
from __future__ import annotations

import re

from sqlalchemy import event

WRITE = re.compile(r"^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?(\w+)", re.I)


class WriteLog:
    """Listens on `engine`; `committed` holds the tables written by committed transactions."""

    def __init__(self, engine):
        self.pending: dict[int, set[str]] = {}
        self.committed: set[str] = set()
        event.listen(engine, "after_cursor_execute", self._executed)
        event.listen(engine, "commit", self._commit)
        event.listen(engine, "rollback", self._rollback)

    def reset(self) -> None:
        """Forget what was committed so far (call before each request)."""
        self.committed = set()

    def _executed(self, conn, cursor, statement, parameters, context, executemany):
        match = WRITE.match(statement)
        if match:
            self.pending.setdefault(id(conn), set()).add(match.group(1))

    def _commit(self, conn):
        self.committed |= self.pending.pop(id(conn), set())

    def _rollback(self, conn):
        self.pending.pop(id(conn), None)
