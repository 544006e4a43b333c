from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ..forms import BaseForm


class OrganisationForm(BaseForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[Length(max=50)])
    country = StringField(_l("Country"), validators=[Length(max=80)])
    website = StringField(_l("Website"), validators=[Length(max=300)])

    def values(self) -> dict:
        return {"name": self.name.data or "", "short_name": self.short_name.data or "",
                "country": self.country.data or "", "website": self.website.data or ""}
