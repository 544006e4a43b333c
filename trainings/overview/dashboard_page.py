"""The programme dashboard page's figures, rendered cheaply.

The stored figures of one version never change (any change makes a new version), so the
HTML of the figures (key figures, the trainings table, the charts with their tables) is
rendered once per stored version and language and kept in this process. A view still reads
the current version from the database first, so it never shows an older one; the kept HTML
is used only when the figures it was made from are equal to the ones just read.
"""
from __future__ import annotations

from flask import current_app, render_template
from flask_babel import gettext as _
from markupsafe import Markup

from ..countries import country_name
from ..i18n import current_language
from . import charts

_RENDERED: dict[tuple, tuple[dict, Markup]] = {}
LIMIT = 256  # programmes x languages kept per process


def sector_label(code: str) -> str:
    return {"academic": _("Academic"), "activist": _("Activist"), "government": _("Government"),
            "other": _("Other")}.get(code, code)


def _render(programme, data: dict) -> Markup:
    return Markup(render_template(  # noqa: S704 - a template, autoescaped
        "overview/_dashboard_figures.html", programme=programme, data=data,
        country_chart=charts.bars([(country_name(c), n) for c, n in data["by_country"].items()]),
        organisation_chart=charts.bars(list(data["by_organisation"].items())[:10]),
        sector_chart=charts.bars([(sector_label(s), n) for s, n in data["by_sector"].items()])))


def figures_html(programme, key: tuple | None, data: dict) -> Markup:
    """The figures' HTML; ``key`` as given by ``summaries.figures_and_key`` (None: not kept)."""
    if key is None:
        return _render(programme, data)
    full = (current_app.config["SQLALCHEMY_DATABASE_URI"], current_language(), *key)
    hit = _RENDERED.get(full)
    if hit is not None and hit[0] == data:
        return hit[1]
    html = _render(programme, data)
    if len(_RENDERED) >= LIMIT:
        _RENDERED.clear()
    _RENDERED[full] = (data, html)
    return html
