"""Input checks of the network areas (organisations, hubs, programmes), built on the shared
validation kit (:mod:`trainings.validation`, messages from :mod:`trainings.messages`).

A :class:`Problems` collects every bad field of one request, so one 422 names them all.
"""
from __future__ import annotations

from ..errors import ValidationError
from ..messages import BODY_NOT_OBJECT, NOT_A_LIST, UNKNOWN_FIELD
from ..validation import Errors, bilingual, clean_text, web_url


class Problems(Errors):
    """:class:`trainings.validation.Errors` with readers of one request's dict."""

    check = Errors.raise_if_any

    def text(self, data: dict, key: str, *, limit: int, required: bool = False) -> str:
        return " ".join(clean_text(data.get(key), key, self, max_length=limit,
                                   required=required).split())

    def bilingual(self, data: dict, key: str, *, limit: int,
                  required: bool = False) -> tuple[str, str]:
        """``{"id": ..., "en": ...}`` (a plain string fills both); required: one of them."""
        return bilingual(data.get(key), key, self, max_length=limit, required=required)

    def url(self, data: dict, key: str, *, limit: int) -> str | None:
        value = data.get(key)
        if isinstance(value, str) and value.strip() and "://" not in value:
            value = "https://" + value.strip()  # a bare host: the web's default scheme
        return web_url(value, key, self, max_length=limit)

    def id_list(self, data: dict, key: str) -> list:
        """A list of ids or names (strings), duplicates dropped, order kept."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(
                isinstance(v, (int, str)) and not isinstance(v, bool) for v in value):
            self.add(key, NOT_A_LIST)
            return []
        return list(dict.fromkeys(value))

    def unknown(self, data: dict, allowed: set[str]) -> None:
        for name in sorted(set(data) - allowed):
            self.add(name, UNKNOWN_FIELD)


def require_object(data) -> dict:
    if not isinstance(data, dict):
        raise ValidationError(BODY_NOT_OBJECT)
    return data
