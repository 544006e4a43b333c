"""The programme dashboard page's figures, rendered cheaply.

The stored figures of one version never change (any change makes a new version), so the
HTML of the figures (key figures, the trainings table, the charts with their tables) is
rendered once per stored version and language and kept in this process. A view still reads
the current version from the database first, so it never shows an older one; the kept HTML
is used only when the figures it was made from are equal to the ones just read. The API's
JSON answer is kept the same way (serialised once per stored version), and so is the page's
whole content with its header (per version, language, zone, the programme's header as read in
the request and the viewer's permissions it shows).
"""
from __future__ import annotations

from flask import Response, current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup

from ..countries import country_name
from ..i18n import current_language, viewer_timezone
from ..policy import can
from ..timezones import parse_aware
from . import charts

_RENDERED: dict[tuple, tuple[dict, Markup]] = {}
_ANSWERS: dict[tuple, tuple[dict, bytes]] = {}  # the API's JSON text
_PAGES: dict[tuple, tuple[dict, Markup]] = {}  # the page's content, header included
LIMIT = 256  # entries (programmes x languages [x zones x permissions]) per process, in each


def sector_label(code: str) -> str:
    return {"academic": _("Academic"), "activist": _("Activist"), "government": _("Government"),
            "other": _("Other")}.get(code, code)


def _render(programme, data: dict) -> Markup:
    return Markup(render_template(  # noqa: S704 - a template, autoescaped
        "overview/_dashboard_figures.html", programme=programme, data=data,
        country_chart=charts.bars([(country_name(c), n) for c, n in data["by_country"].items()]),
        organisation_chart=charts.bars(list(data["by_organisation"].items())[:10]),
        sector_chart=charts.bars([(sector_label(s), n) for s, n in data["by_sector"].items()])))


def _kept(kept: dict, key: tuple, data: dict, make):
    """``make()`` kept under ``key`` while the figures it was made from equal ``data``."""
    hit = kept.get(key)
    if hit is not None and hit[0] == data:
        return hit[1]
    made = make()
    if len(kept) >= LIMIT:
        kept.clear()
    kept[key] = (data, made)
    return made


def figures_html(programme, key: tuple | None, data: dict) -> Markup:
    """The figures' HTML; ``key`` as given by ``summaries.figures_and_key`` (None: not kept)."""
    if key is None:
        return _render(programme, data)
    full = (current_app.config["SQLALCHEMY_DATABASE_URI"], current_language(), *key)
    return _kept(_RENDERED, full, data, lambda: _render(programme, data))


def page_html(programme, key: tuple | None, data: dict, viewer) -> Markup:
    """The page's content under its heading: the programme's header, the figures and the
    links the viewer may follow, kept per stored version (``key``), language, the viewer's
    zone (the "as of" time), the programme as read in this request (``ProgrammeRead``: its
    titles, managers and organisations) and the two permissions it shows: shared by every
    viewer with the same, never older than what this request read."""
    lang, zone = current_language(), viewer_timezone()
    flags = (can(viewer, "programme.manage", programme), can(viewer, "programme.report", programme))

    def make() -> Markup:
        return Markup(render_template(  # noqa: S704 - a template, autoescaped
            "overview/_dashboard_body.html", programme=programme, title=programme.title(lang),
            figures=figures_html(programme, key, data), may_manage=flags[0],
            may_report=flags[1], zone=zone,
            computed_at=parse_aware(data["computed_at"], "computed_at")))
    if key is None:
        return make()
    full = (current_app.config["SQLALCHEMY_DATABASE_URI"], lang, zone, programme, flags, *key)
    return _kept(_PAGES, full, data, make)


def answer_json(key: tuple | None, data: dict, serialise) -> Response:
    """The API's answer: ``serialise(data)`` as Flask's JSON answer, serialised once per
    stored version (``key`` as for :func:`figures_html`) and kept: the answer names no
    language, zone or viewer, so every caller allowed to see it gets the same text."""
    def make() -> bytes:  # exactly Flask's own JSON answer (compact or not, as configured)
        return current_app.json.response(serialise(data)).get_data()
    if key is None:
        text = make()
    else:
        text = _kept(_ANSWERS, (current_app.config["SQLALCHEMY_DATABASE_URI"], *key), data, make)
    return current_app.response_class(text, mimetype=current_app.json.mimetype)
