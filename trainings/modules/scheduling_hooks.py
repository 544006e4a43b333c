"""Receivers of the scheduling area's signals: the modules a session can be given."""
from __future__ import annotations

from ..scheduling.signals import module_choices
from . import services


@module_choices.connect
def published_modules(_sender, **_extra) -> list[tuple[str, dict]]:
    modules, _broken = services.list_modules()
    return [(m.slug, {lang: m.meta["title"][lang] for lang in services.LANGUAGES}) for m in modules]
