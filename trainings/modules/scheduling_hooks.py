"""Receivers of the scheduling area's signals (imported by the app factory): the modules a
session can be given, and the version a session is prepared with (the newest upload)."""
from __future__ import annotations

from ..scheduling.signals import module_choices, session_module_set
from . import services
from .ownership import prepare_session

session_module_set.connect(prepare_session)


@module_choices.connect
def published_modules(_sender, **_extra) -> list[tuple[str, dict]]:
    modules, _broken = services.list_modules()
    return [(m.slug, {lang: m.meta["title"][lang] for lang in services.LANGUAGES}) for m in modules]
