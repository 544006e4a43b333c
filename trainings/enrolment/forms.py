from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, Length, Optional
from wtforms.validators import ValidationError as WTFValidationError

from ..countries import country_choices
from ..forms import LANGUAGE_CHOICES, BaseForm, TimezoneField
from .services import SECTOR_LABELS


class ApplicationForm(BaseForm):
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    country = SelectField(_l("Country"), validators=[DataRequired()])
    organisation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)],
                               render_kw={"autocomplete": "organization"})
    sector = SelectField(_l("Sector"), choices=list(SECTOR_LABELS.items()))
    timezone = TimezoneField(_l("Time zone"))
    language = SelectField(_l("Preferred language"), choices=LANGUAGE_CHOICES)
    accessibility_needs = TextAreaField(
        _l("Accessibility needs (optional)"), validators=[Optional(), Length(max=2000)],
        render_kw={"rows": 3})
    accessibility_consent = BooleanField(
        _l("I agree that the organisers and facilitators of this training store and see my "
           "accessibility needs, only to support my participation."))
    privacy_consent = BooleanField(
        _l("I have read the privacy notice and agree that my data is used for this training."),
        validators=[DataRequired(message=_l("Please agree to the privacy notice to apply."))])

    def __init__(self, *args, locale: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Choose a country"))] + country_choices(locale)

    def validate_accessibility_consent(self, field):
        if (self.accessibility_needs.data or "").strip() and not field.data:
            raise WTFValidationError(_l(
                "Tick this box to let us store your accessibility needs, or leave the needs "
                "empty."))


class AddParticipantForm(ApplicationForm):
    """An organiser enrols somebody by hand: places are allocated as for the API."""

    privacy_consent = None
    accessibility_consent = BooleanField(
        _l("The participant agreed that the staff of this training store and see these needs."))


class SettingsForm(BaseForm):
    applications_open = BooleanField(_l("Applications are open (the public application page "
                                        "accepts applications)"))
    requires_approval = BooleanField(_l("Applications need approval by an organiser"))


class ImportForm(BaseForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired(
        message=_l("Choose a file to import."))])


class ApplyImportForm(BaseForm):
    rows = HiddenField()


class InvitationForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(min=10)],
                             render_kw={"autocomplete": "new-password"})
    confirm = PasswordField(_l("Repeat the password"),
                            validators=[DataRequired(), EqualTo("password", message=_l(
                                "The passwords differ."))],
                            render_kw={"autocomplete": "new-password"})
