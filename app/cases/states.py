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

# ステップ0–3 of the national 自治体DX推進手順書 (digest §4.1), the step header of a case page.
DX_STEPS = {
    0: _l("ステップ0 認識共有・機運醸成"),
    1: _l("ステップ1 全体方針"),
    2: _l("ステップ2 推進体制・人材"),
    3: _l("ステップ3 重点取組の実行"),
}
