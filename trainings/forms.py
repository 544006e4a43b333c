"""Shared form pieces: every form derives from FlaskForm, which carries the CSRF token."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, ValidationError

from .messages import translations
from .timezones import common_timezones, is_valid_timezone


class BaseForm(FlaskForm):
    """Base for Anyam forms. ``apply_error`` puts a service's DomainError next to its field.

    WTForms' own messages ("This field is required.") come from Anyam's catalogs
    (``trainings/messages.py``), so they are Indonesian on Indonesian pages."""

    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            return translations

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators=extra_validators)
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None and csrf.errors:  # Flask-WTF raises these in English
            csrf.errors = [translations.gettext(str(e)) for e in csrf.errors]
        return valid

    def apply_error(self, error, field_map=None) -> None:
        """Show ``error`` next to its field (``field_map`` maps service fields to form
        fields), or above the form when no field of this form matches."""
        details = error.details or [{"field": error.field, "message": str(error.message)}]
        placed = False
        for detail in details:
            name = detail.get("field") or ""
            mapping = field_map or {}
            head = name.split(".")[0]  # "country_quotas.PK" is about "country_quotas"
            name = mapping.get(name) or mapping.get(head) or (name if hasattr(self, name) else head)
            field = getattr(self, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + [str(detail.get("message"))]
                placed = True
        if not placed:
            self.form_errors.append(str(error.message))


class EmptyForm(BaseForm):
    """A form with only the CSRF token, for buttons that change state."""


class TimezoneField(SelectField):
    """A select of IANA zones; the browser's zone is suggested by static/js/anyam.js."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("data-suggest-timezone", "1")
        super().__init__(label, validators, choices=[(z, z) for z in common_timezones()],
                         **kwargs)

    def pre_validate(self, form):
        if not is_valid_timezone(self.data):
            raise ValidationError(_l("Choose a valid time zone."))


LANGUAGE_CHOICES = [("id", "Bahasa Indonesia"), ("en", "English")]
