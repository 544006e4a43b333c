"""Every form's error messages on an Indonesian page are Indonesian: each form is submitted
empty or with bad values and every error must be a msgstr of the Indonesian catalogs
(messages from libraries too: WTForms' validators and fields, Flask-WTF's CSRF check)."""
import importlib
import re

from babel.messages.pofile import read_po
from wtforms import DateTimeField, EmailField, IntegerField, URLField

from trainings.config import TRANSLATION_AREAS
from trainings.forms import BaseForm

AREAS = ("auth", "scheduling", "enrolment", "attendance", "certificates", "modules", "overview")
BAD = {IntegerField: "abc", EmailField: "not-an-address", URLField: "not a url",
       DateTimeField: "someday"}


def indonesian_patterns() -> list[re.Pattern]:
    from pathlib import Path

    import trainings
    root = Path(trainings.__file__).parent / "translations"
    patterns = []
    for area in TRANSLATION_AREAS:
        po = root / area / "id" / "LC_MESSAGES" / "messages.po"
        with po.open("rb") as handle:
            for message in read_po(handle, locale="id"):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    if text:
                        pattern = re.sub(r"%\\\(\w+\\\)[sd]", ".*", re.escape(text))
                        patterns.append(re.compile(pattern.replace("%%", "%"), re.S))
    return patterns


def all_forms() -> list[type]:
    for area in AREAS:
        try:
            importlib.import_module(f"trainings.{area}.forms")
        except ModuleNotFoundError:
            continue
    found, stack = [], [BaseForm]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            found.append(sub)
            stack.append(sub)
    return sorted(set(found), key=lambda c: c.__qualname__)


def bad_data(form_class) -> dict:
    form = form_class(formdata=None, meta={"csrf": False})
    return {field.name: BAD.get(type(field), "") for field in form if field.name != "csrf_token"}


def test_every_form_answers_in_indonesian(app):
    app.config["WTF_CSRF_ENABLED"] = True  # the CSRF message comes from Flask-WTF
    patterns = indonesian_patterns()
    forms = all_forms()
    assert len(forms) >= 15  # the test reaches the application's forms
    english = []
    checked = 0
    for form_class in forms:
        with app.test_request_context("/", method="POST", data=bad_data(form_class),
                                      headers={"Accept-Language": "id"}):
            form = form_class()
            for field in form:
                if getattr(field, "choices", "") is None:
                    field.choices = []
            form.validate()
            for name, errors in form.errors.items():
                for error in errors:
                    checked += 1
                    if not any(p.fullmatch(str(error)) for p in patterns):
                        english.append(f"{form_class.__qualname__}.{name}: {error}")
    assert checked > 30
    assert english == []


def test_a_required_field_says_so_in_indonesian(app):
    from trainings.auth.forms import LoginForm
    with app.test_request_context("/", method="POST", data={"email": "", "password": ""},
                                  headers={"Accept-Language": "id"}):
        form = LoginForm(meta={"csrf": False})
        assert not form.validate()
        assert form.errors["email"] == ["Isian ini wajib diisi."]
    with app.test_request_context("/", method="POST", data={"email": "x", "password": "p"},
                                  headers={"Accept-Language": "id"}):
        form = LoginForm(meta={"csrf": False})
        assert not form.validate()
        assert form.errors["email"] == ["Alamat email tidak valid."]
