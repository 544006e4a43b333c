"""Input checks shared by the network areas (organisations, hubs, programmes).

A :class:`Problems` collects every bad field of one request, so one 422 names them all.
"""
from __future__ import annotations

from flask_babel import gettext as _

from ..errors import ValidationError


class Problems:
    def __init__(self):
        self.details: list[dict] = []

    def add(self, field: str, message) -> None:
        self.details.append({"field": field, "message": str(message)})

    def check(self) -> None:
        if not self.details:
            return
        first = self.details[0]["message"]
        raise ValidationError(first if len(self.details) == 1 else _("Some values are not valid."),
                              details=self.details)

    def text(self, data: dict, key: str, *, limit: int, required: bool = False,
             field: str | None = None) -> str:
        value = data.get(key)
        field = field or key
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.add(field, _("This must be text."))
            return ""
        value = " ".join(value.replace("\x00", "").split())
        if required and not value:
            self.add(field, _("This field is required."))
        elif len(value) > limit:
            self.add(field, _("At most %(n)d characters.", n=limit))
        return value

    def bilingual(self, data: dict, key: str, *, limit: int,
                  required: bool = False) -> tuple[str, str]:
        """``{"id": ..., "en": ...}`` (a plain string fills both); required: one of them."""
        value = data.get(key)
        if value is None:
            value = {}
        if isinstance(value, str):
            value = {"id": value, "en": value}
        if not isinstance(value, dict) or set(value) - {"id", "en"}:
            self.add(key, _('Give an object with "id" and "en" texts.'))
            return "", ""
        pair = (self.text(value, "id", limit=limit, field=f"{key}.id"),
                self.text(value, "en", limit=limit, field=f"{key}.en"))
        if required and not any(pair):
            self.add(key, _("Give a text in Indonesian or English."))
        return pair

    def id_list(self, data: dict, key: str) -> list:
        """A list of ids or names (strings), duplicates dropped, order kept."""
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(
                isinstance(v, (int, str)) and not isinstance(v, bool) for v in value):
            self.add(key, _("Give a list."))
            return []
        return list(dict.fromkeys(value))

    def unknown(self, data: dict, allowed: set[str]) -> None:
        for name in sorted(set(data) - allowed):
            self.add(name, _("Unknown field."))


def require_object(data) -> dict:
    if not isinstance(data, dict):
        raise ValidationError(_("The body must be a JSON object."))
    return data
