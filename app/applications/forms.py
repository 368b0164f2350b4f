"""Forms of the applications domain: the municipal application form and the operator's return form."""
from __future__ import annotations

from functools import lru_cache

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from app.core.forms import BaseForm, strip_filter

ISSUE_MAX = 2000


class _ApplicationFields(BaseForm):
    """Municipal fields (no state, no municipality: those are never taken from the form)."""

    first_choice_message = _l("第1希望を選択してください。")

    issue = TextAreaField(_l("課題"), filters=[strip_filter], validators=[
        DataRequired(message=_l("課題を入力してください。")),
        Length(max=ISSUE_MAX, message=_l("課題は2000文字以内で入力してください。"))])
    goal = TextAreaField(_l("目指す姿・目標"), filters=[strip_filter],
                         validators=[Length(max=ISSUE_MAX, message=_l("2000文字以内で入力してください。"))])
    desired_timing = StringField(_l("希望する支援時期"), filters=[strip_filter],
                                 validators=[Length(max=200, message=_l("200文字以内で入力してください。"))])
    contact_name = StringField(_l("担当者名"), filters=[strip_filter],
                               validators=[Length(max=100, message=_l("100文字以内で入力してください。"))])
    contact_email = StringField(_l("担当者メールアドレス"), filters=[strip_filter], validators=[
        Optional(), Length(max=254, message=_l("254文字以内で入力してください。")),
        Email(message=_l("メールアドレスの形式が正しくありません。"))])
    contact_phone = StringField(_l("担当者電話番号"), filters=[strip_filter], validators=[
        Optional(), Length(max=40, message=_l("40文字以内で入力してください。")),
        Regexp(r"^[0-9０-９()（）+\-‐－ ]+$", message=_l("電話番号は数字とハイフンで入力してください。"))])
    version_id = HiddenField()  # the version being edited, to detect a concurrent save

    def choice_fields(self) -> list[SelectField]:
        """The rank fields, first choice first."""
        return [self[f"choice_{rank}"] for rank in range(1, self.max_choices + 1)]

    def set_menu(self, options: list[tuple[str, str]]) -> None:
        """Offer `options` ([(item id, "No.n タイトル（提供企業）")]) in every rank field."""
        for rank, f in enumerate(self.choice_fields(), start=1):
            f.choices = [SelectChoice("", _l("選択してください") if rank == 1 else _l("（なし）"))] + [SelectChoice(v, label) for v, label in options]

    def chosen_ids(self) -> list[int]:
        """The chosen item ids in rank order (after validation: no gaps, no duplicates)."""
        return [int(f.data) for f in self.choice_fields() if f.data]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        return self._validate_choices() and ok

    def _validate_choices(self) -> bool:
        allowed = {choice.value for choice in self.choice_fields()[0].choices if choice.value}
        seen: set[str] = set()
        empty_above = False
        ok = True
        for rank, f in enumerate(self.choice_fields(), start=1):
            value = f.data or ""
            error = None
            if not value:
                error = self.first_choice_message if rank == 1 else None
                empty_above = True
            elif value not in allowed:
                error = _l("公開されている支援メニューの中から選択してください。")
            elif empty_above:
                error = _l("上位の希望を先に選択してください。")
            elif value in seen:
                error = _l("同じ支援メニューを複数の希望に選ぶことはできません。")
            seen.add(value)
            if error:
                f.errors = list(f.errors or []) + [error]
                ok = False
        return ok


class _RequiredFlag:
    """Marks the first-choice field as required (the check itself is in `_validate_choices`)."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


@lru_cache(maxsize=16)
def application_form_class(max_choices: int) -> type[_ApplicationFields]:
    """The application form with one select per rank (第1希望 … 第N希望; N = call.max_choices)."""
    attrs = {"max_choices": max_choices}
    for rank in range(1, max_choices + 1):
        validators = [_RequiredFlag()] if rank == 1 else []
        unbound = SelectField(_l("第%(n)d希望", n=rank), choices=[], validate_choice=False, validators=validators)
        unbound.creation_counter = -100 + rank  # choices come first (WTForms orders fields by this counter)
        attrs[f"choice_{rank}"] = unbound
    return type(f"ApplicationForm{max_choices}", (_ApplicationFields,), attrs)


class ReturnForm(BaseForm):
    """Operator: return a submitted application for revision (差戻し) with a reason."""

    reason = TextAreaField(_l("差戻しの理由"), filters=[strip_filter], validators=[
        DataRequired(message=_l("差戻しの理由を入力してください。")),
        Length(max=ISSUE_MAX, message=_l("2000文字以内で入力してください。"))])


class RequestForm(_ApplicationFields):
    """A 派遣依頼 of an applicant body: one theme (an expert's or the adviser's menu item) and what/when."""

    max_choices = 1
    first_choice_message = _l("依頼するテーマを選択してください。")
    choice_1 = SelectField(_l("依頼するテーマ"), choices=[], validate_choice=False, validators=[_RequiredFlag()])
    choice_1.creation_counter = -100


class ApproveForm(BaseForm):
    """Operator: approve (承認) a request, with an optional note."""

    note = TextAreaField(_l("メモ（任意）"), filters=[strip_filter],
                         validators=[Length(max=ISSUE_MAX, message=_l("2000文字以内で入力してください。"))])


class DeclineForm(BaseForm):
    """Operator: decline (不承認) a request with a reason, shown to the body."""

    reason = TextAreaField(_l("不承認の理由"), filters=[strip_filter], validators=[
        DataRequired(message=_l("不承認の理由を入力してください。")),
        Length(max=ISSUE_MAX, message=_l("2000文字以内で入力してください。"))])
