"""Import kinds and the import-run workflow: an upload is previewed (dry run, nothing written) and
then applied after re-validation, or failed (errors found at upload or on confirmation)."""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum
from app.tenancy.labels import lazy_label


class ImportKind(LabeledEnum):
    MUNICIPALITIES = "municipalities", _l("市町村マスタ")
    MENU_ITEMS = "menu_items", _l("支援メニュー項目")
    PAST_ENGAGEMENTS = "past_engagements", _l("過去年度の支援実績")
    NEEDS_ANSWERS = "needs_answers", _l("DX課題把握アンケートの回答")
    PROVIDERS = "providers", lazy_label("%(provider)s（登録テーマを含む）")  # the tenant's own label
    BODIES = "bodies", _l("教育委員会・商工会（申込団体）")


class ImportState(LabeledEnum):
    PREVIEWED = "previewed", _l("確認待ち")
    APPLIED = "applied", _l("取込済")
    FAILED = "failed", _l("エラー（取込なし）")


TRANSITIONS = {
    ImportState.PREVIEWED: {ImportState.APPLIED, ImportState.FAILED},
    ImportState.APPLIED: set(),
    ImportState.FAILED: set(),
}
