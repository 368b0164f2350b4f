"""Survey kinds and the time-derived status of a survey request (not stored: computed from dates).

A request is 回答済 once answered, 期限超過 after its due date (JST), else 未回答 — so nothing has to
move the status along at midnight (architecture.md: time-derived status).
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum


class SurveyKind(LabeledEnum):
    INITIAL = "initial", _l("事後アンケート")
    FOLLOW_UP = "follow_up", _l("フォローアップアンケート")


class RequestStatus(LabeledEnum):
    UNANSWERED = "unanswered", _l("未回答")
    OVERDUE = "overdue", _l("期限超過")
    ANSWERED = "answered", _l("回答済")
