from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, Optional

from ..forms import BaseForm


class GroupForm(BaseForm):
    name_id = StringField(_l("Name in Indonesian"), validators=[Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[Length(max=200)])
    capacity = IntegerField(_l("Places"), validators=[InputRequired()], default=10,
                            render_kw={"min": 1, "inputmode": "numeric"})
    facilitators = StringField(_l("Facilitators (email addresses)"),
                               validators=[Optional(), Length(max=2000)])


class AssignForm(BaseForm):
    by_country = BooleanField(_l("Mix countries"), default=True)
    by_organisation = BooleanField(_l("Mix organisations"), default=True)
    reset = BooleanField(_l("Reassign everybody (also people who chose a group)"))
