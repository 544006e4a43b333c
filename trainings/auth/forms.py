from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ..forms import LANGUAGE_CHOICES, BaseForm, EmptyForm, TimezoneField  # noqa: F401


class LoginForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})
    remember = BooleanField(_l("Keep me logged in on this device"))
    next = HiddenField()


class ProfileForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    language = SelectField(_l("Language"), choices=LANGUAGE_CHOICES)
    timezone = TimezoneField(_l("Time zone"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # anyam.js offers the device's zone with this label when it differs from the saved one
        self.timezone.render_kw = {**(self.timezone.render_kw or {}),
                                   "data-suggest-label": str(_l("Use this device's time zone:"))}


class PasswordForm(BaseForm):
    current_password = PasswordField(_l("Current password"), validators=[Optional()],
                                      render_kw={"autocomplete": "current-password"})
    new_password = PasswordField(_l("New password"), validators=[DataRequired()],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password",
                                                                message=_l("The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class TokenForm(BaseForm):
    name = StringField(_l("What the token is for"), validators=[Optional(), Length(max=100)])


class TokenScopeForm(TokenForm):
    scope = SelectField(_l("What the token may do"), default="read", choices=[
        ("read", _l("Read only")), ("write", _l("Read and change"))])
    expires_days = SelectField(_l("Valid for"), default="90", coerce=int, choices=[
        (30, _l("30 days")), (90, _l("90 days")), (365, _l("1 year"))])


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Email()],
                       render_kw={"autocomplete": "username"})


class ResetPasswordForm(BaseForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired()],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password",
                                                                message=_l("The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class CodeForm(BaseForm):
    code = StringField(_l("Code from your authenticator app, or a recovery code"),
                       validators=[DataRequired(), Length(max=20)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class PasswordCheckForm(BaseForm):
    password = PasswordField(_l("Your password"), validators=[DataRequired()],
                             render_kw={"autocomplete": "current-password"})


class TwoFactorConfirmForm(BaseForm):
    code = StringField(_l("The 6-digit code your app shows"),
                       validators=[DataRequired(), Length(max=10)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})
