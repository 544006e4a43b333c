"""Forms of the scheduling pages. Range checks live in the services (one set of rules)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    URLField,
)
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm, TimezoneField


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


WEEKDAY_CHOICES = [("0", _l("Monday")), ("1", _l("Tuesday")), ("2", _l("Wednesday")),
                   ("3", _l("Thursday")), ("4", _l("Friday")), ("5", _l("Saturday")),
                   ("6", _l("Sunday"))]


class TrainingForm(BaseForm):
    title_id = StringField(_l("Title in Indonesian"), validators=[Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Length(max=300)])
    description_id = TextAreaField(_l("Description in Indonesian"), validators=[Length(max=20000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=20000)])
    timezone = TimezoneField(_l("Home time zone"), default="Asia/Jakarta")
    capacity = IntegerField(_l("Places in total"), validators=[Optional()],
                            render_kw={"min": 0, "inputmode": "numeric"})
    quotas = TextAreaField(_l("Places per country"), render_kw={"rows": 4})
    min_sessions = IntegerField(_l("Sessions needed for the certificate"), validators=[Optional()],
                                render_kw={"min": 0, "inputmode": "numeric"})
    organisations = TextAreaField(_l("Co-organising organisations"), render_kw={"rows": 3})
    applications_open = BooleanField(_l("Applications are open (the public application page "
                                        "accepts applications)"))
    requires_approval = BooleanField(_l("Applications need approval by an organiser"))


class StaffForm(BaseForm):
    email = StringField(_l("Email of the person"), validators=[InputRequired(), Length(max=254)],
                        render_kw={"type": "email", "autocomplete": "off"})
    role = SelectField(_l("Role"), choices=[("facilitator", _l("Facilitator")),
                                            ("organiser", _l("Organiser"))])


class _SessionFields(BaseForm):
    zone = TimezoneField(_l("Time zone of the start time"))
    duration_minutes = IntegerField(_l("Duration in minutes"), validators=[InputRequired()],
                                    default=120, render_kw={"min": 1, "inputmode": "numeric"})
    meeting_url = URLField(_l("Meeting link"), validators=[Optional(), Length(max=500)])
    facilitators = MultiCheckboxField(_l("Facilitators"), choices=[], validate_choice=False)
    module = SelectField(_l("Training module"), choices=[], validate_choice=False)
    session_mode = SelectField(_l("Where the session takes place"), default="online",
                               choices=[("online", _l("Online")), ("in_person", _l("In person")),
                                        ("hybrid", _l("Hybrid"))])
    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=300)])
    venue_address = TextAreaField(_l("Venue address"), validators=[Optional(), Length(max=1000)])
    venue_accessibility_id = TextAreaField(_l("Accessibility of the venue in Indonesian"),
                                           validators=[Optional(), Length(max=2000)])
    venue_accessibility_en = TextAreaField(_l("Accessibility of the venue in English"),
                                           validators=[Optional(), Length(max=2000)])
    interpretation = StringField(_l("Interpretation"), validators=[Optional(), Length(max=300)])


class SessionForm(_SessionFields):
    title_id = StringField(_l("Title in Indonesian"), validators=[Length(max=300)])
    title_en = StringField(_l("Title in English"), validators=[Length(max=300)])
    description_id = TextAreaField(_l("Description in Indonesian"), validators=[Length(max=20000)])
    description_en = TextAreaField(_l("Description in English"), validators=[Length(max=20000)])
    starts_at = DateTimeLocalField(_l("Start date and time"), format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                   validators=[InputRequired()])


class SeriesForm(_SessionFields):
    first_starts_at = DateTimeLocalField(_l("Start of the first session"),
                                         format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
                                         validators=[InputRequired()])
    count = IntegerField(_l("Number of sessions"), validators=[InputRequired()], default=7,
                         render_kw={"min": 1, "max": 100, "inputmode": "numeric"})
    mode = RadioField(_l("Repeat"), default="interval",
                      choices=[("interval", _l("Every few days")),
                               ("weekly", _l("Weekly on chosen weekdays"))])
    interval_days = IntegerField(_l("Every how many days"), validators=[Optional()], default=7,
                                 render_kw={"min": 1, "inputmode": "numeric"})
    weekdays = MultiCheckboxField(_l("Weekdays"), choices=WEEKDAY_CHOICES)
    title_prefix_id = StringField(_l("Title in Indonesian (numbered)"), default="Sesi",
                                  validators=[Length(max=250)])
    title_prefix_en = StringField(_l("Title in English (numbered)"), default="Session",
                                  validators=[Length(max=250)])
