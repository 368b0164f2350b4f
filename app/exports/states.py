"""States of an export job (queued → running → done / failed) and its transition table."""
from flask_babel import lazy_gettext as _l

from app.core.states import LabeledEnum


class ExportJobState(LabeledEnum):
    QUEUED = "queued", _l("待機中")
    RUNNING = "running", _l("作成中")
    DONE = "done", _l("完了")
    FAILED = "failed", _l("失敗")


TRANSITIONS = {
    ExportJobState.QUEUED: {ExportJobState.RUNNING, ExportJobState.FAILED},
    ExportJobState.RUNNING: {ExportJobState.DONE, ExportJobState.FAILED},
}
