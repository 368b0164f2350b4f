"""The lifecycle of a tenant (issue 13 §2): 準備中 → 公開中 ⇄ 停止中 → 終了.

| status | public pages and API | the tenant's users | jobs and outbox mail |
|---|---|---|---|
| 準備中 `preparing` | 404 (a 準備中 page) | operators log in and configure the program; other roles get the same 404 | run (the first operator's invitation must be sent) |
| 公開中 `open` | served | served | run |
| 停止中 `suspended` | 503 「停止中」 page / JSON, no data | 503 (login too) | skipped: no job runs, no mail leaves |
| 終了 `archived` | as 停止中 | as 停止中 | skipped |

終了 is final: nothing leaves it in the UI (the data is kept; bringing an archived program back is
a new decision for the platform operator, done by changing the row by hand). A tenant is never
deleted here. Who may move a tenant: platform admins only (`app.admin.services.transition_tenant`).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum


class TenantStatus(LabeledEnum):
    PREPARING = "preparing", _l("準備中")
    OPEN = "open", _l("公開中")
    SUSPENDED = "suspended", _l("停止中")
    ARCHIVED = "archived", _l("終了")


TRANSITIONS: dict[TenantStatus, set[TenantStatus]] = {
    TenantStatus.PREPARING: {TenantStatus.OPEN, TenantStatus.ARCHIVED},
    TenantStatus.OPEN: {TenantStatus.SUSPENDED, TenantStatus.ARCHIVED},
    TenantStatus.SUSPENDED: {TenantStatus.OPEN, TenantStatus.ARCHIVED},
    TenantStatus.ARCHIVED: set(),
}

# Statuses whose pages, API and exports are closed (503) and whose jobs and mail do not run.
CLOSED_STATUSES = frozenset({TenantStatus.SUSPENDED, TenantStatus.ARCHIVED})
# Statuses whose jobs run (the scheduler, `flask jobs run`, the outbox).
RUNNING_STATUSES = (TenantStatus.PREPARING, TenantStatus.OPEN)
