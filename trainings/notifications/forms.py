from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import Length, Optional

from ..countries import country_choices
from ..enrolment.services.labels import STATUS_LABELS
from ..forms import BaseForm
from .announcements import BODY_LIMIT, SUBJECT_LIMIT


class RemindersForm(BaseForm):
    hours_before = StringField(
        _l("Reminders, in hours before each session"), validators=[Optional(), Length(max=60)],
        description=_l("Separate several with commas, e.g. 24, 1. Leave empty for no reminders."))


class AnnouncementForm(BaseForm):
    subject_id = StringField(_l("Subject in Indonesian"),
                             validators=[Optional(), Length(max=SUBJECT_LIMIT)])
    subject_en = StringField(_l("Subject in English"),
                             validators=[Optional(), Length(max=SUBJECT_LIMIT)])
    body_id = TextAreaField(_l("Message in Indonesian"), render_kw={"rows": 8},
                            validators=[Optional(), Length(max=BODY_LIMIT)])
    body_en = TextAreaField(_l("Message in English"), render_kw={"rows": 8},
                            validators=[Optional(), Length(max=BODY_LIMIT)])
    status = SelectField(_l("Participants with the status"), default="accepted",
                         choices=list(STATUS_LABELS.items()))
    country = SelectField(_l("From the country"), default="", validators=[Optional()])
    preview = SubmitField(_l("Show who receives it"))
    send = SubmitField(_l("Send the announcement"))

    def __init__(self, *args, locale: str = "en", **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = [("", _l("Every country"))] + country_choices(locale)

    def recipients_filter(self) -> dict:
        return {"status": self.status.data or "accepted", "country": self.country.data or None}
