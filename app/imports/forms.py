"""Forms of the imports domain: the upload (kind and .xlsx file) and the confirmation."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField

from app.core.forms import BaseForm
from app.imports.states import ImportKind


class UploadForm(BaseForm):
    """What to import and the workbook (checked again, safely, before it is opened)."""

    kind = SelectField(_l("取り込むデータ"), choices=ImportKind.choices(),
                       invalid_choice_message=_l("取り込むデータを一覧から選んでください。"))
    file = FileField(_l("Excelファイル（.xlsx）"), validators=[
        FileRequired(_l("ファイルを選んでください。")),
        FileAllowed(["xlsx"], _l("Excelファイル（.xlsx）を選んでください。")),
    ])


class ConfirmForm(BaseForm):
    """「取り込む」: confirms a previewed run (CSRF only)."""
