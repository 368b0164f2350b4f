"""Forms of the platform admin pages. Only what a platform admin sets: the status itself comes
from the button pressed (the URL), the invited user's role and organisation from the server."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp

from app.admin.services import SLUG_PATTERN
from app.core.forms import BaseForm, strip_filter


class TenantForm(BaseForm):
    """事業の作成: identity of a new tenant (it starts 準備中)."""

    slug = StringField(_l("識別子（URL）"), filters=[strip_filter], validators=[
        DataRequired(message=_l("識別子（URL）を入力してください。")),
        Regexp(SLUG_PATTERN, message=_l("識別子（URL）は半角英小文字・数字・ハイフンの40文字以内で、先頭は英小文字か数字にしてください。"))],
        render_kw={"autocomplete": "off"})
    prefecture = StringField(_l("都道府県名"), filters=[strip_filter], validators=[
        DataRequired(message=_l("都道府県名を入力してください。")), Length(max=20, message=_l("都道府県名は20文字以内にしてください。"))])
    name = StringField(_l("事業名"), filters=[strip_filter], validators=[
        DataRequired(message=_l("事業名を入力してください。")), Length(max=200, message=_l("事業名は200文字以内にしてください。"))])
    office_name = StringField(_l("担当課"), filters=[strip_filter], validators=[
        DataRequired(message=_l("担当課を入力してください。")), Length(max=100, message=_l("担当課は100文字以内にしてください。"))])


class TransitionForm(BaseForm):
    """公開・停止・再開・終了: the reason (required for 停止 and 終了; the service says so)."""

    reason = TextAreaField(_l("理由"), filters=[strip_filter], validators=[
        Optional(), Length(max=500, message=_l("理由は500文字以内にしてください。"))])


class OperatorInviteForm(BaseForm):
    """最初の事業担当者の招待: e-mail and name (role 事業担当, organisation the program office)."""

    email = EmailField(_l("メールアドレス"), filters=[strip_filter], validators=[
        DataRequired(message=_l("メールアドレスを入力してください。")), Length(max=254),
        Email(message=_l("メールアドレスの形式が正しくありません。"))])
    display_name = StringField(_l("氏名"), filters=[strip_filter], validators=[
        DataRequired(message=_l("氏名を入力してください。")), Length(max=100, message=_l("氏名は100文字以内にしてください。"))])
