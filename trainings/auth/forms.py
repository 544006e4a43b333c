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
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10)],
                                 render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the new password"),
                            validators=[DataRequired(), EqualTo("new_password",
                                                                message=_l("The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})


class TokenForm(BaseForm):
    name = StringField(_l("What the token is for"), validators=[Optional(), Length(max=100)])
