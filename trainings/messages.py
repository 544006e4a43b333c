"""The one table of validation messages, shared by forms, services and the API schemas.

Each message is a lazy translatable string, so it is rendered in the language of
whoever reads it (the page's language, or the API caller's ``Accept-Language``). Use
these instead of writing the same sentence again; keep placeholders named.

It also marks the messages that come from libraries (WTForms' validators and fields,
Flask-WTF's CSRF check) so that ``scripts/i18n.py update`` extracts them into the core
catalog: WTForms ships no Indonesian catalog, so :class:`trainings.forms.BaseForm` hands
WTForms :data:`translations` (Anyam's catalogs through Flask-Babel) instead of its own.
"""
from __future__ import annotations

from flask_babel import get_translations, lazy_ngettext
from flask_babel import lazy_gettext as _l

REQUIRED = _l("This field is required.")
NOT_TEXT = _l("This must be text.")
TOO_LONG = _l("At most %(num)d characters.")  # num
NOT_WHOLE_NUMBER = _l("Give a whole number from %(low)d to %(high)d.")  # low, high
NOT_A_NUMBER = _l("Give a number.")
NOT_BOOLEAN = _l("Give true or false.")
NOT_A_LIST = _l("Give a list.")
NOT_AN_OBJECT = _l("Give an object.")
NOT_ONE_OF = _l("Choose one of: %(choices)s.")  # choices
NOT_BILINGUAL = _l('Give an object with "id" and "en" texts.')
BILINGUAL_REQUIRED = _l("Give a text in Indonesian or English.")
INVALID_EMAIL = _l("Give a valid email address.")
INVALID_URL = _l("Give a web address starting with https://.")
INVALID_DATE = _l("Give a date as YYYY-MM-DD.")
INVALID_DATETIME = _l("Give a date and time with a time zone offset, e.g. 2023-12-05T14:00:00+07:00.")
DATE_OUT_OF_RANGE = _l("Choose a date between the years %(low)d and %(high)d.")  # low, high
UNKNOWN_FIELD = _l("Unknown field.")
INVALID_VALUE = _l("This value is not valid.")
SOME_INVALID = _l("Some values are not valid.")
BODY_NOT_JSON = _l("The body must be JSON (Content-Type: application/json).")
BODY_NOT_OBJECT = _l("The body must be a JSON object.")
NOT_ALLOWED = _l("You are not allowed to do this.")


def text(message, **values) -> str:
    """The message in the current language with its placeholders filled."""
    return str(message) % values if values else str(message)

# The API's own answers (the HTTP layer's errors, in the caller's language)
TOKEN_REQUIRED = _l("A valid API token is required.")
HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    401: TOKEN_REQUIRED,
    403: NOT_ALLOWED,
    404: _l("Not found."),
    405: _l("This method is not allowed here."),
    413: _l("The request is too large."),
    415: _l("This content type is not supported here."),
    429: _l("Too many requests. Try again in a moment."),
    500: _l("An unexpected error occurred."),
}

# WTForms (wtforms/locale/wtforms.pot), as the validators and fields word them
WTFORMS = (
    _l("Field must be equal to %(other_name)s."),
    _l("Field must be between %(min)d and %(max)d characters long."),
    _l("Number must be at least %(min)s."),
    _l("Number must be at most %(max)s."),
    _l("Number must be between %(min)s and %(max)s."),
    _l("Date must be at least %(min)s."),
    _l("Date must be at most %(max)s."),
    _l("Date must be between %(min)s and %(max)s."),
    REQUIRED,
    _l("Invalid input."),
    _l("Invalid email address."),
    _l("Invalid URL."),
    _l("Invalid value, must be one of: %(values)s."),
    _l("Invalid value, can't be any of: %(values)s."),
    _l("This field cannot be edited."),
    _l("This field is disabled and cannot have a value."),
    _l("Invalid Choice: could not coerce."),
    _l("Not a valid choice."),
    _l("Invalid choice(s): one or more data inputs could not be coerced."),
    _l("Not a valid datetime value."),
    _l("Not a valid date value."),
    _l("Not a valid time value."),
    _l("Not a valid integer value."),
    _l("Not a valid decimal value."),
    _l("Not a valid float value."),
)
WTFORMS_PLURALS = (
    lazy_ngettext("Field must be at least %(min)d character long.",
                  "Field must be at least %(min)d characters long.", 1),
    lazy_ngettext("Field cannot be longer than %(max)d character.",
                  "Field cannot be longer than %(max)d characters.", 1),
    lazy_ngettext("Field must be exactly %(max)d character long.",
                  "Field must be exactly %(max)d characters long.", 1),
    lazy_ngettext("'%(value)s' is not a valid choice for this field.",
                  "'%(value)s' are not valid choices for this field.", 1),
)
# Flask-WTF's CSRF check raises these untranslated; BaseForm translates them
CSRF = (
    _l("The CSRF token is missing."),
    _l("The CSRF session token is missing."),
    _l("The CSRF token has expired."),
    _l("The CSRF token is invalid."),
    _l("The CSRF tokens do not match."),
)


class Translations:
    """What WTForms calls ``gettext``/``ngettext`` on: Anyam's catalogs in the request's
    locale. Plain lookups: WTForms formats the result itself (``% dict(min=...)``)."""

    def gettext(self, string):
        return get_translations().ugettext(string)

    def ngettext(self, singular, plural, n):
        return get_translations().ungettext(singular, plural, n)


translations = Translations()
