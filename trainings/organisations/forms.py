from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField, TextAreaField, widgets
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


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class HubForm(BaseForm):
    name_id = StringField(_l("Name (Indonesian)"), validators=[Length(max=200)])
    name_en = StringField(_l("Name (English)"), validators=[Length(max=200)])
    region = StringField(_l("Region"), validators=[Length(max=200)])
    description_id = TextAreaField(_l("Description (Indonesian)"), validators=[Length(max=5000)])
    description_en = TextAreaField(_l("Description (English)"), validators=[Length(max=5000)])
    organisations = CheckboxesField(_l("Member organisations"), coerce=int)

    def values(self) -> dict:
        return {"name": {"id": self.name_id.data or "", "en": self.name_en.data or ""},
                "region": self.region.data or "",
                "description": {"id": self.description_id.data or "",
                                "en": self.description_en.data or ""},
                "organisations": list(self.organisations.data or [])}
