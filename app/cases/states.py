"""Case workflow: draft → awaiting municipal approval → approved → published (digest §10.8)."""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum


class CaseState(LabeledEnum):
    DRAFT = "draft", _l("下書き")
    AWAITING_APPROVAL = "awaiting_approval", _l("市町村確認待ち")
    APPROVED = "approved", _l("市町村承認済")
    PUBLISHED = "published", _l("公開中")


TRANSITIONS = {
    CaseState.DRAFT: {CaseState.AWAITING_APPROVAL},
    CaseState.AWAITING_APPROVAL: {CaseState.APPROVED, CaseState.DRAFT},  # DRAFT = returned with a comment
    CaseState.APPROVED: {CaseState.PUBLISHED, CaseState.DRAFT},
    CaseState.PUBLISHED: {CaseState.DRAFT},  # unpublish to correct
}
