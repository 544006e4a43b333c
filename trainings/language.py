"""The current language, for leaf helpers (countries, timezones) that must not import i18n.

``trainings.i18n`` chooses the language (user setting, switcher, browser) and registers the
template helpers, importing countries and timezones; they ask this module instead, so the
imports run one way: i18n → countries/timezones → language.

It also answers a request's repeated look-ups fast. Flask-Babel keeps the request's locale
on ``g._flask_babel`` but reaches it through three ``g`` proxy look-ups per call, and
finds a catalogue by formatting the locale again for every translated string; a page with
100 strings and 40 dates did that ~250 times. Here the namespace is reached once per call
and the code and catalogue are remembered beside the locale object they belong to: a
changed locale (``force_locale``, ``refresh``, a new request) is a different object, so
the answer is looked up again.
"""
from __future__ import annotations

from flask import g
from flask_babel import Domain, get_locale
from flask_babel import get_translations as _babel_translations


def _namespace():
    """Flask-Babel's per-context namespace (``g._flask_babel``), None without an app context."""
    try:
        real = g._get_current_object()
    except RuntimeError:  # no app context
        return None
    namespace = real.__dict__.get("_flask_babel")
    if namespace is None:
        get_locale()  # Flask-Babel creates it (and chooses the locale)
        namespace = real.__dict__.get("_flask_babel")
    return namespace


def current_language(default: str = "en") -> str:
    """``"id"`` or ``"en"``: the request's language, the default outside an app context."""
    namespace = _namespace()
    if namespace is None:
        return default
    locale = getattr(namespace, "babel_locale", None)
    known = getattr(namespace, "anyam_language", None)
    if locale is not None and known is not None and known[0] is locale:
        return known[1]
    if locale is None:  # chosen once per request (Flask-Babel answers the chosen one after)
        locale = get_locale()
    code = str(locale or default)
    if locale is not None:
        namespace.anyam_language = (locale, code)
    return code


class RequestDomain(Domain):
    """Flask-Babel's message domain, answering the catalogue from the request once found."""

    def get_translations(self):
        namespace = _namespace()
        if namespace is None:
            return super().get_translations()
        locale = getattr(namespace, "babel_locale", None)
        known = getattr(namespace, "anyam_translations", None)
        if locale is not None and known is not None and known[0] is locale and known[1] is self:
            return known[2]
        translations = super().get_translations()  # sets namespace.babel_locale
        locale = getattr(namespace, "babel_locale", None)
        if locale is not None:
            namespace.anyam_translations = (locale, self, translations)
        return translations


def request_translations():
    """The catalogue of the request's domain and locale (what ``flask_babel.gettext`` uses).

    Every translated string of a page asks (~100 on My schedule): the remembered catalogue
    is answered from the namespace reached here, without reaching it again in the domain."""
    namespace = _namespace()
    if namespace is None:
        return _babel_translations()
    state = namespace.__dict__
    domain, known = state.get("babel_domain"), state.get("anyam_translations")
    if (known is not None and domain is not None and known[1] is domain
            and known[0] is not None and known[0] is state.get("babel_locale")):
        return known[2]
    return domain.get_translations() if domain is not None else _babel_translations()
