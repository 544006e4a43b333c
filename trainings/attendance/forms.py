"""Forms of the attendance area. The roll call is the one ``EmptyForm`` (CSRF only): its
per-person fields come as status-<id> / note-<id> with their originals, read by the view."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, IntegerField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..forms import BaseForm


class UploadForm(BaseForm):
    report = FileField(_l("Participant report"), validators=[FileRequired(_l("Choose a file."))])


class ApplyForm(BaseForm):
    token = HiddenField()
    min_minutes = IntegerField(_l("Minimum minutes to count as present"),
                               validators=[Optional(), NumberRange(min=1, max=1440)])
    overwrite = BooleanField(_l("Also lower statuses that staff set by hand"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class SettingsForm(BaseForm):
    min_sessions = IntegerField(_l("Minimum number of sessions attended"),
                                validators=[Optional(), NumberRange(min=0, max=1000)])
    min_percent = IntegerField(_l("Minimum share of sessions attended (%)"),
                               validators=[Optional(), NumberRange(min=0, max=100)])
    mandatory_sessions = MultiCheckboxField(_l("Mandatory sessions"), coerce=int, choices=[])
    excused_counts = BooleanField(_l("Excused absences count as attended"))
    threshold_percent = IntegerField(
        _l("Present from this share of a session's length (%)"),
        validators=[InputRequired(), NumberRange(min=1, max=100)])
    late_after_minutes = IntegerField(_l("Late when joining more than this many minutes after the start"),
                                      validators=[InputRequired(), NumberRange(min=0, max=600)])
