"""The verification page's labels in both languages, translated once per app and process.

The page shows every label in Indonesian and English whatever the viewer's language, so the
texts are the same on every request: ``force_locale`` twice per request (Babel's locale and
catalogue looked up again for each language) cost ~0.3 ms of the page's ~2 ms. The catalogues
are loaded once per process and never change while it runs, so the cache is keyed by the
app (``app.extensions``) and the labels' dictionary; a status with a replacement code is
translated per request (the code is part of the text).
"""
from __future__ import annotations

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

LANGUAGES = ("id", "en")


def _cache() -> dict:
    return current_app.extensions.setdefault("anyam_verify_labels", {})


def _translate(labels: dict) -> dict:
    out: dict = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            for key, text in labels.items():
                out.setdefault(key, {})[lang] = str(text)
    return out


def both_languages(labels: dict) -> dict:
    """{key: {"id": ..., "en": ...}} for a module-level dictionary of lazy strings (a copy:
    the caller may change it)."""
    cache = _cache()
    found = cache.get(id(labels))
    if found is None or found[0] is not labels:
        found = cache[id(labels)] = (labels, _translate(labels))
    return {key: dict(texts) for key, texts in found[1].items()}


def _markup(texts: dict, viewer: str) -> Markup:
    other = "en" if viewer == "id" else "id"
    if texts[other] == texts[viewer]:
        return escape(texts[viewer])
    return Markup('{} <span class="muted" lang="{}">/ {}</span>').format(
        texts[viewer], other, texts[other])


def labels_html(labels: dict, viewer: str) -> dict:
    """{key: Markup}: each label in the viewer's language, then in the other one (muted, with
    its ``lang``) unless both read the same; the HTML built once per app, process,
    dictionary and viewer language (the page's ten labels were a Jinja macro call each)."""
    cache = _cache()
    key = ("html", id(labels), viewer)
    found = cache.get(key)
    if found is None or found[0] is not labels:
        texts = both_languages(labels)
        found = cache[key] = (labels, {name: _markup(pair, viewer) for name, pair in texts.items()})
    return found[1]


def _status(status: str, replaced_by: str) -> dict:
    out = {}
    for lang in LANGUAGES:
        with force_locale(lang):
            if status == "valid":
                out[lang] = _("Valid: this certificate was issued as shown below.")
            elif status == "revoked":
                out[lang] = _("Revoked: this certificate is no longer valid.")
            else:
                out[lang] = _("Replaced: a corrected certificate with the code %(code)s "
                              "replaces this one.", code=replaced_by)
    return out


def status_text(info: dict) -> dict:
    """The certificate's status in both languages."""
    if info["status"] not in ("valid", "revoked"):
        return _status(info["status"], info["replaced_by"] or "")
    cache = _cache()
    key = ("status", info["status"])
    if key not in cache:
        cache[key] = _status(info["status"], "")
    return dict(cache[key])
