"""Forms of the evaluation area. The answer page's fields are built from the survey's
questions and read by the view (``q-<key>``), like the roll call."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from ..forms import BaseForm


def kind_choices():
    return [("feedback", _l("Feedback survey")), ("pre_test", _l("Pre-test (knowledge)")),
            ("post_test", _l("Post-test (knowledge)"))]


def type_choices():
    return [("scale", _l("Scale from 1 to 5")), ("choice", _l("Single choice")),
            ("multi", _l("Multiple choice")), ("text", _l("Free text"))]


class SurveyForm(BaseForm):
    title_id = StringField(_l("Title (Indonesian)"), validators=[DataRequired(), Length(max=300)])
    title_en = StringField(_l("Title (English)"), validators=[DataRequired(), Length(max=300)])
    kind = SelectField(_l("Kind"), choices=kind_choices())
    session = SelectField(_l("Session"), choices=[], coerce=str)
    anonymous = BooleanField(_l("Anonymous: answers are never linked to a person"))
    required_for_certificate = BooleanField(_l("Required for the certificate"))
    opens_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M",
                                  validators=[Optional()])
    closes_at = DateTimeLocalField(_l("Closes at"), format="%Y-%m-%dT%H:%M",
                                   validators=[Optional()])


class QuestionForm(BaseForm):
    key = StringField(_l("Key"), validators=[Optional(), Length(max=40)])
    type = SelectField(_l("Type"), choices=type_choices())
    text_id = TextAreaField(_l("Question (Indonesian)"), validators=[DataRequired()])
    text_en = TextAreaField(_l("Question (English)"), validators=[DataRequired()])
    required = BooleanField(_l("An answer is required"), default=True)
    options = TextAreaField(_l("Options, one per line: Indonesian | English"))
    correct = StringField(_l("Correct options (tests): their numbers, e.g. 2 or 1, 3"))


class CommitmentsForm(BaseForm):
    text_1 = TextAreaField(_l("Commitment 1"), validators=[Optional(), Length(max=2000)])
    due_1 = DateField(_l("Due date of commitment 1"), validators=[Optional()])
    text_2 = TextAreaField(_l("Commitment 2"), validators=[Optional(), Length(max=2000)])
    due_2 = DateField(_l("Due date of commitment 2"), validators=[Optional()])
    text_3 = TextAreaField(_l("Commitment 3"), validators=[Optional(), Length(max=2000)])
    due_3 = DateField(_l("Due date of commitment 3"), validators=[Optional()])

    def commitments(self) -> list[dict]:
        items = []
        for n in (1, 2, 3):
            text, due = getattr(self, f"text_{n}").data, getattr(self, f"due_{n}").data
            if (text or "").strip() or due:
                items.append({"text": text or "", "due": due.isoformat() if due else None})
        return items


class CommitmentUpdateForm(BaseForm):
    status = SelectField(_l("Status"), choices=[])
    note = TextAreaField(_l("Note"), validators=[Optional(), Length(max=2000)])


class FollowUpForm(BaseForm):
    days = StringField(_l("Follow-up mails, days after the last session (e.g. 30, 90)"),
                       validators=[Optional(), Length(max=100)])
