"""Forms of the privacy pages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from ..forms import BaseForm


class EraseForm(BaseForm):
    reason = TextAreaField(_l("Reason for the erasure"),
                           validators=[DataRequired(), Length(max=500)])


class RetentionForm(BaseForm):
    retention_months = IntegerField(
        _l("Erase participants' personal data this many months after the last session"),
        validators=[Optional(), NumberRange(min=1, max=240)])
