"""The one table of validation messages, shared by forms, services and the API schemas.

Each message is a lazy translatable string, so it is rendered in the language of
whoever reads it (the page's language, or the API caller's ``Accept-Language``). Use
these instead of writing the same sentence again; keep placeholders named.
"""
from __future__ import annotations

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
