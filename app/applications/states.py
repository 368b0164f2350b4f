"""Application workflow: draft → submitted → (returned for revision) → decided (product.md §4)."""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum


class ApplicationState(LabeledEnum):
    DRAFT = "draft", _l("下書き")
    SUBMITTED = "submitted", _l("提出済")
    RETURNED = "returned", _l("差戻し")
    WITHDRAWN = "withdrawn", _l("取下げ")
    SELECTED = "selected", _l("選定")
    NOT_SELECTED = "not_selected", _l("非選定")


TRANSITIONS = {
    ApplicationState.DRAFT: {ApplicationState.SUBMITTED, ApplicationState.WITHDRAWN},
    ApplicationState.SUBMITTED: {
        ApplicationState.RETURNED,
        ApplicationState.WITHDRAWN,
        ApplicationState.SELECTED,
        ApplicationState.NOT_SELECTED,
    },
    ApplicationState.RETURNED: {ApplicationState.SUBMITTED, ApplicationState.WITHDRAWN},
    ApplicationState.WITHDRAWN: set(),
    ApplicationState.SELECTED: set(),
    # 繰上げ: a waitlisted application is promoted into freed capacity (app.decisions, issue 3 §6).
    ApplicationState.NOT_SELECTED: {ApplicationState.SELECTED},
}
EDITABLE = {ApplicationState.DRAFT, ApplicationState.RETURNED}
DECIDED = {ApplicationState.SELECTED, ApplicationState.NOT_SELECTED}

# How the decided states read for a 派遣依頼 of a continuous / on-demand program (app.applications.requests).
REQUEST_LABELS = {
    ApplicationState.SUBMITTED: _l("審査中"),
    ApplicationState.SELECTED: _l("承認"),
    ApplicationState.NOT_SELECTED: _l("不承認"),
    ApplicationState.WITHDRAWN: _l("取下げ"),
}
