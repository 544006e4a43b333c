"""Countries: ISO 3166-1 alpha-2 codes stored, names from Babel's locale data shown."""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from babel import Locale
from babel.core import get_global

from .errors import ValidationError
from .language import current_language

# CLDR territory codes that are not countries (regions, unions, private use).
_NOT_COUNTRIES = {"EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"}


@lru_cache(maxsize=1)
def country_codes() -> tuple[str, ...]:
    territories = Locale("en").territories
    return tuple(sorted(code for code in territories
                        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES))


@lru_cache(maxsize=8)
def _names(locale: str) -> dict[str, str]:
    territories = Locale.parse(locale).territories
    return {code: territories.get(code, code) for code in country_codes()}


def country_name(code: str | None, locale: str | None = None) -> str:
    if not code:
        return ""
    return _names(locale or current_language()).get(code.upper(), code)


def country_choices(locale: str) -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name in that language, for select fields."""
    names = _names(locale)
    return sorted(names.items(), key=lambda item: _fold(item[1]))


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    codes = set(country_codes())
    for alias, targets in get_global("territory_aliases").items():
        if len(alias) == 3 and alias.isalpha() and targets and targets[0] in codes:
            table[alias.casefold()] = targets[0]
    for locale in ("en", "id"):
        for code, name in _names(locale).items():
            table.setdefault(_fold(name), code)
        # CLDR's short and variant names ("Palestine", "Türkiye" alternatives)
        for key, name in Locale.parse(locale).territories.items():
            base = key.split("-")[0] if isinstance(key, str) else key
            if base in codes:
                table.setdefault(_fold(name), base)
    for code in codes:
        table[code.casefold()] = code
    return table


def normalise_country(value: str | None, field: str = "country") -> str:
    """An alpha-2 code from an alpha-2 or alpha-3 code or an English or Indonesian name."""
    from flask_babel import gettext as _
    text = (value or "").strip()
    code = _lookup().get(_fold(text)) if text else None
    if not code:
        raise ValidationError(_("Unknown country: %(value)s", value=text[:80]), field=field,
                              code="unknown_country")
    return code
