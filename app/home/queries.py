"""The task list of the tenant home page: what needs this user's action now."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app


@dataclass
class Task:
    """One line of the task list: a label, a count and where to act."""

    label: str
    count: int
    endpoint: str
    values: dict


TASK_PROVIDERS: list = []  # callables (user, tenant) -> list[Task]; domains append in their views


def tasks_for(user, tenant) -> list[Task]:
    """Tasks for `user` in `tenant` from every registered provider, skipping empty ones."""
    tasks: list[Task] = []
    for provider in TASK_PROVIDERS:
        tasks.extend(t for t in provider(user, tenant) if t.count and t.endpoint in current_app.view_functions)
    return tasks
