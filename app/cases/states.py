"""Case workflow (digest §10.8, issue 4 item 6): the operator drafts; the municipality AND the
provider each approve (or return with a comment) and may hold back fields from publication; then
the operator publishes.

draft → awaiting_approval → awaiting_provider | awaiting_municipality → approved → published.
Which party an approval edge belongs to is data (`APPROVAL_EDGES`), so the service stamps the
right party whoever calls it.
"""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum
from app.tenancy.labels import lazy_label


class CaseState(LabeledEnum):
    DRAFT = "draft", _l("下書き")
    AWAITING_APPROVAL = "awaiting_approval", lazy_label("市町村・%(provider)sの確認待ち")
    AWAITING_PROVIDER = "awaiting_provider", lazy_label("%(provider)sの確認待ち（市町村承認済）")
    AWAITING_MUNICIPALITY = "awaiting_municipality", lazy_label("市町村の確認待ち（%(provider)s承認済）")
    APPROVED = "approved", _l("双方承認済（公開待ち）")
    PUBLISHED = "published", _l("公開中")


MUNICIPALITY, PROVIDER = "municipality", "provider"
AWAITING_STATES = (CaseState.AWAITING_APPROVAL, CaseState.AWAITING_PROVIDER, CaseState.AWAITING_MUNICIPALITY)

TRANSITIONS = {
    CaseState.DRAFT: {CaseState.AWAITING_APPROVAL},
    # DRAFT from an awaiting state = returned with a comment (or withdrawn by the operator)
    CaseState.AWAITING_APPROVAL: {CaseState.AWAITING_PROVIDER, CaseState.AWAITING_MUNICIPALITY, CaseState.DRAFT},
    CaseState.AWAITING_PROVIDER: {CaseState.APPROVED, CaseState.DRAFT},
    CaseState.AWAITING_MUNICIPALITY: {CaseState.APPROVED, CaseState.DRAFT},
    CaseState.APPROVED: {CaseState.PUBLISHED, CaseState.DRAFT},
    CaseState.PUBLISHED: {CaseState.DRAFT},  # unpublish to correct
}

# (from, to) → the party whose approval the edge is.
APPROVAL_EDGES = {
    (CaseState.AWAITING_APPROVAL, CaseState.AWAITING_PROVIDER): MUNICIPALITY,
    (CaseState.AWAITING_MUNICIPALITY, CaseState.APPROVED): MUNICIPALITY,
    (CaseState.AWAITING_APPROVAL, CaseState.AWAITING_MUNICIPALITY): PROVIDER,
    (CaseState.AWAITING_PROVIDER, CaseState.APPROVED): PROVIDER,
}


def approval_target(state: CaseState, party: str) -> CaseState | None:
    """The state `party` ("municipality" | "provider") moves the case to by approving it now, or
    None when it is not that party's turn."""
    return next((to for (frm, to), who in APPROVAL_EDGES.items() if frm == state and who == party), None)


# Fields a party may hold back from publication (public page, booklet, .xlsx, API, search).
HOLDABLE_FIELDS = {
    "outcomes": _l("成果"),
    "population": _l("人口"),
    "related_url": _l("関連URL"),
    "similar_organisations": _l("類似の取組を行っている団体"),
    "provider": lazy_label("%(provider)s名"),
    "survey_solved": _l("事後アンケートの結果（課題解決につながったか）"),
}

# Text fields of a case, checked by the personal-data guard, with their labels.
TEXT_FIELDS = {
    "title": _l("タイトル"),
    "key_points": _l("ポイント"),
    "overview": _l("概要"),
    "outcomes": _l("成果"),
    "population_basis": _l("人口の基準"),
    "related_url": _l("関連URL"),
    "similar_organisations": _l("類似の取組を行っている団体"),
}

# ステップ0–3 of the national 自治体DX推進手順書 (digest §4.1), the step header of a case page.
DX_STEPS = {
    0: _l("ステップ0 認識共有・機運醸成"),
    1: _l("ステップ1 全体方針"),
    2: _l("ステップ2 推進体制・人材"),
    3: _l("ステップ3 重点取組の実行"),
}
