"""Languages: the user's setting, then the switcher (kept in the session), then the browser."""
from __future__ import annotations

from babel import Locale
from flask import current_app, g, has_request_context, request, session
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from . import countries, timezones
from .language import RequestDomain, current_language, request_translations

__all__ = ["LANGUAGE_NAMES", "bilingual", "current_language", "init_i18n", "select_locale",
           "select_timezone", "viewer_timezone"]

LANGUAGE_NAMES = {"id": "Bahasa Indonesia", "en": "English"}


def select_locale() -> Locale:
    """The request's locale (Flask-Babel asks once per request), as a Locale object parsed
    once per process: Flask-Babel parses a returned code again on every request."""
    code = _select_language()
    locale = _LOCALES.get(code)
    if locale is None:
        locale = Locale.parse(code)
        if len(_LOCALES) < 16:  # the codes come from LANGUAGES and the default: a handful
            _LOCALES[code] = locale
    return locale


_LOCALES: dict[str, Locale] = {}


def _select_language() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if request.path.startswith("/api/v1/"):
        # An API caller has no session: its Accept-Language, then its token user's setting.
        actor = g.get("actor")
        return (request.accept_languages.best_match(languages)
                or (actor.language if actor is not None and actor.language in languages else None)
                or current_app.config["BABEL_DEFAULT_LOCALE"])
    user = current_user._get_current_object()  # one proxy look-up, not one per attribute
    if user and user.is_authenticated and user.language in languages:
        return user.language
    chosen = session.get("lang")
    if chosen in languages:
        return chosen
    return request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str | None:
    return viewer_timezone()


def viewer_timezone(default: str | None = None) -> str:
    """The zone to show times in: the user's own, else the browser's (kept in the session)."""
    if not has_request_context():
        return default or "UTC"
    user = current_user._get_current_object()  # one proxy look-up (dates ask once each)
    if user and user.is_authenticated and user.timezone:
        return user.timezone
    return session.get("tz") or default or "UTC"


def bilingual(obj, field: str, lang: str | None = None) -> str:
    """``obj.<field>_id`` or ``obj.<field>_en`` in the viewer's language, falling back to the other."""
    lang = lang or current_language()
    first, second = ("id", "en") if lang == "id" else ("en", "id")
    return getattr(obj, f"{field}_{first}", "") or getattr(obj, f"{field}_{second}", "") or ""


@pass_context
def _template_gettext(context, string: str, **variables) -> str:
    text = request_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - the catalogue's text, as Jinja does; values escaped by %
    # formatting without values changes only a text with "%" in it ("%%"): skipped otherwise
    return text % variables if variables or "%" in text else text


@pass_context
def _template_ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    """``ngettext(...)`` in a template, as Jinja's newstyle one (the number formatted in as
    ``num`` unless given, marked safe, values escaped by %) without its context call."""
    variables.setdefault("num", num)
    text = request_translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 - the catalogue's text, as Jinja does
    return text % variables


def init_i18n(app, babel) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    # The same catalogues, found once per request (trainings/language.py): for Python's
    # gettext through the default domain, for templates through these callables.
    babel.domain_instance = RequestDomain(domain=app.extensions["babel"].default_domain)
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n),
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n),
        newstyle=True)
    # ``_("...")`` in a template: Jinja's alias resolves ``gettext`` and calls it, which
    # calls the catalogue through the context again (two context calls per string, ~50
    # strings a page); this does the same in one: translate, mark safe, format (escaping
    # the values), as Jinja's newstyle gettext does.
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = _template_gettext
    app.jinja_env.globals["ngettext"] = _template_ngettext

    # Helpers that read the request themselves when called: template globals, set once
    # (a context processor built and merged them into every template's context again).
    app.jinja_env.globals.update({
        "language_names": LANGUAGE_NAMES,
        "bilingual": bilingual,
        "country_name": countries.country_name,
        "viewer_timezone": viewer_timezone,
        "fmt_time": timezones.format_time,
        "fmt_datetime": timezones.format_datetime,
        "fmt_date": timezones.format_date,
        "zone_label": timezones.zone_label,
    })

    @app.context_processor
    def _inject():
        return {"current_language": current_language()}
