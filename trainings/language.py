"""The current language, for leaf helpers (countries, timezones) that must not import i18n.

``trainings.i18n`` chooses the language (user setting, switcher, browser) and registers the
template helpers, importing countries and timezones; they ask this module instead, so the
imports run one way: i18n → countries/timezones → language.
"""
from __future__ import annotations

from flask_babel import get_locale


def current_language(default: str = "en") -> str:
    """``"id"`` or ``"en"``: the request's language, the default outside an app context."""
    try:
        locale = get_locale()
    except RuntimeError:  # no app context
        return default
    return str(locale or default)
