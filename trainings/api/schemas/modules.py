"""Training modules: answer shapes."""
from __future__ import annotations

from typing import Any

from .core import Bilingual, Output


class ModuleOut(Output):
    model_config = {"extra": "allow"}
    slug: str
    title: Bilingual
    subtitle: Bilingual
    version: str | int | float
    licence: str | None
    authors: list[str]
    organisations: list[str]
    languages: list[str]
    editions: list[str]
    sections: list[dict[str, Any]]
    pdf: dict[str, str] = {}


class Modules(Output):
    items: list[ModuleOut]
