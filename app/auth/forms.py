"""Login, second-factor, re-authentication and TOTP enrolment forms."""
from flask_babel import lazy_gettext as _l
from wtforms import EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from app.core.forms import BaseForm, strip_filter


class LoginForm(BaseForm):
    email = EmailField(_l("メールアドレス"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("パスワード"), validators=[DataRequired(), Length(max=128)])


class SecondFactorForm(BaseForm):
    """The login's second step: a 6-digit TOTP code or a recovery code."""

    code = StringField(_l("確認コード（6桁）または回復コード"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=32)], render_kw={"autocomplete": "one-time-code"})


class ReauthForm(BaseForm):
    """Re-authentication before a sensitive action; `code` is asked only of users with TOTP."""

    password = PasswordField(_l("パスワード"), validators=[DataRequired(), Length(max=128)])
    code = StringField(_l("確認コード（6桁）または回復コード"), filters=[strip_filter],
                       validators=[Optional(), Length(max=32)], render_kw={"autocomplete": "one-time-code"})


class EnrolForm(BaseForm):
    """Confirm TOTP enrolment with the code the authenticator app shows."""

    code = StringField(_l("認証アプリに表示された6桁の確認コード"), filters=[strip_filter],
                       validators=[DataRequired(), Length(max=12)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
