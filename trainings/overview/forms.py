from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField, StringField, TextAreaField, widgets
from wtforms.validators import Length

from ..forms import BaseForm


class CheckboxesField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").replace(",", "\n").splitlines() if line.strip()]


class ProgrammeForm(BaseForm):
    title_id = StringField(_l("Title (Indonesian)"), validators=[Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[Length(max=300)])
    trainings = CheckboxesField(_l("Trainings"), coerce=int, validate_choice=True)
    managers = TextAreaField(_l("Managers (email addresses, one per line)"),
                             validators=[Length(max=5000)])
    organisations = TextAreaField(_l("Organisations (one per line)"),
                                  validators=[Length(max=5000)])

    def values(self) -> dict:
        return {"title": {"id": self.title_id.data or "", "en": self.title_en.data or ""},
                "trainings": list(self.trainings.data or []),
                "managers": _lines(self.managers.data),
                "organisations": [line for line in (self.organisations.data or "").splitlines()
                                  if line.strip()]}


class PeopleSearchForm(BaseForm):
    class Meta:
        csrf = False  # a GET search changes nothing

    q = StringField(_l("Name or email"), validators=[Length(max=200)])
