"""The request's remembered catalogue (trainings/language.py) is always the one Flask-Babel
would choose: another language after force_locale, refresh or a new request, never stale."""
from __future__ import annotations

from flask_babel import Domain, force_locale, refresh
from flask_login import login_user

from trainings.extensions import babel
from trainings.language import request_translations


def _babel_choice():
    """Flask-Babel's own answer, without the remembered one (the base class's look-up)."""
    return Domain.get_translations(babel.domain_instance)


def test_the_remembered_catalogue_follows_the_locale(app, make):
    english, indonesian = make.user(language="en"), make.user(language="id")
    for user, expected in ((english, "My schedule"), (indonesian, "Jadwal saya"),
                           (english, "My schedule")):
        with app.test_request_context("/"):
            login_user(user)
            for _round in range(2):  # the second answer comes from the namespace
                assert request_translations().ugettext("My schedule") == expected
                assert request_translations() is _babel_choice()
            other = "Jadwal saya" if expected == "My schedule" else "My schedule"
            with force_locale("en" if user is indonesian else "id"):
                assert request_translations().ugettext("My schedule") == other
                assert request_translations() is _babel_choice()
            assert request_translations().ugettext("My schedule") == expected
            user.language = "id" if user is english else "en"
            refresh()  # a changed setting, within the request
            assert request_translations().ugettext("My schedule") == other
            assert request_translations() is _babel_choice()
            user.language = "en" if user is english else "id"


def test_template_ngettext_is_jinjas_newstyle_one(app, make):
    """The template's ``ngettext`` (one call, no context call) answers as Jinja's own
    newstyle ngettext: the plural form of the language, ``num`` formatted in, values
    escaped, the result safe."""
    from jinja2.ext import _make_new_ngettext
    jinjas = _make_new_ngettext(lambda s, p, n: request_translations().ungettext(s, p, n))
    source = ('{{ ngettext("%(num)d more needed for the certificate.", "%(num)d more needed for '
              'the certificate.", n) }}|{{ ngettext("%(num)d person found", "%(num)d people found",'
              ' n) }}|{{ ngettext("%(file)s: %(num)d row", "%(file)s: %(num)d rows", n, file=f) }}')
    for language in ("en", "id"):
        with app.test_request_context("/"):
            login_user(make.user(language=language))
            refresh()  # the signed-in user's language, in this app context
            ours = app.jinja_env.from_string(source)
            theirs = app.jinja_env.from_string(source, globals={"ngettext": jinjas})
            for n in (1, 2, 5):
                values = {"n": n, "f": "<b>report</b>.csv"}
                shown = ours.render(**values)
                assert shown == theirs.render(**values)
                assert "&lt;b&gt;report&lt;/b&gt;.csv" in shown and f"{n} " in shown
        assert ("5 orang ditemukan" in shown) == (language == "id")
