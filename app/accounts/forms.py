"""Forms of accounts. Each lists only what its user may set (no mass assignment): the invitation
page takes a password and nothing else; tenant, role and state come from the server."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, Optional

from app.auth.models import Role
from app.auth.passwords import MAX_LENGTH
from app.core.forms import BaseForm, strip_filter

# Role.label is lazy: the applicant and provider roles are named after the tenant's (商工会, ICTエキスパート).
ROLE_CHOICES = [SelectChoice(r.value, r.lazy_label) for r in (Role.MUNICIPAL, Role.PROVIDER, Role.REVIEWER, Role.OPERATOR)]
STATUS_CHOICES = [SelectChoice("", _l("すべて")), SelectChoice("active", _l("有効")), SelectChoice("inactive", _l("無効"))]
# Long enough for any allowed password (the rules, not the form, say what is too long), short
# enough that nobody posts megabytes for argon2 to hash.
PASSWORD_FIELD_MAX = MAX_LENGTH * 4


def _org_id(value):
    return int(value) if value not in (None, "") and str(value).isdigit() else None


def _new_password(label):
    return PasswordField(label, validators=[DataRequired(message=_l("新しいパスワードを入力してください。")),
                                            Length(max=PASSWORD_FIELD_MAX)],
                         render_kw={"autocomplete": "new-password"})


def _confirmation():
    return PasswordField(_l("新しいパスワード（確認）"), validators=[
        DataRequired(message=_l("確認のため、もう一度入力してください。")),
        EqualTo("password", message=_l("確認用のパスワードが一致しません。"))], render_kw={"autocomplete": "new-password"})


class UserFilterForm(BaseForm):
    """GET filter of ユーザー管理 (no CSRF: it changes nothing)."""

    class Meta:
        csrf = False

    role = SelectField(_l("役割"), choices=[SelectChoice("", _l("すべて")), *ROLE_CHOICES], validators=[Optional()])
    organisation = SelectField(_l("所属組織"), coerce=_org_id, validate_choice=False, validators=[Optional()])
    status = SelectField(_l("状態"), choices=STATUS_CHOICES, validators=[Optional()])


class RoleFields(BaseForm):
    """Role and organisation (paired: see `app.accounts.services.ORG_KINDS_BY_ROLE`)."""

    role = SelectField(_l("役割"), choices=ROLE_CHOICES, validators=[InputRequired(message=_l("役割を選んでください。"))])
    organisation = SelectField(_l("所属組織"), coerce=_org_id,
                               validators=[InputRequired(message=_l("所属組織を選んでください。"))])


class InviteForm(RoleFields):
    """招待: who to invite (e-mail, name) and as what."""

    email = EmailField(_l("メールアドレス"), filters=[strip_filter], validators=[
        DataRequired(message=_l("メールアドレスを入力してください。")), Length(max=254),
        Email(message=_l("メールアドレスの形式が正しくありません。"))])
    display_name = StringField(_l("氏名"), filters=[strip_filter], validators=[
        DataRequired(message=_l("氏名を入力してください。")), Length(max=100)])


class SetPasswordForm(BaseForm):
    """Invitation acceptance and reset: the new password twice, nothing else."""

    password = _new_password(_l("新しいパスワード"))
    confirm = _confirmation()


class ForgotForm(BaseForm):
    """「パスワードをお忘れの方」: the account's e-mail address."""

    email = EmailField(_l("メールアドレス"), filters=[strip_filter], validators=[
        DataRequired(message=_l("メールアドレスを入力してください。")), Length(max=254)])


class ChangePasswordForm(SetPasswordForm):
    """Change one's own password: the current one, then the new one twice."""

    current = PasswordField(_l("現在のパスワード"), validators=[
        DataRequired(message=_l("現在のパスワードを入力してください。")), Length(max=PASSWORD_FIELD_MAX)],
        render_kw={"autocomplete": "current-password"})
