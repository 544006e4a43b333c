"""Time zones: validation, conversion and display with the zone named ("14:00 WIB")."""
from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from babel import Locale
from babel.dates import get_date_format, parse_pattern

from .errors import ValidationError
from .language import current_language

# tzdata keeps WIB/WITA/WIT/PKT but writes numeric names ("+08") for zones whose
# abbreviations it considers invented; these are the names people in the region use.
COMMON_ABBREVIATIONS = {
    "Asia/Kuala_Lumpur": "MYT",
    "Asia/Kuching": "MYT",
    "Asia/Singapore": "SGT",
    "Asia/Dhaka": "BST",
    "Asia/Kathmandu": "NPT",
    "Asia/Bangkok": "ICT",
    "Asia/Ho_Chi_Minh": "ICT",
    "Asia/Dili": "TLT",
    "Asia/Colombo": "SLST",
}


@lru_cache(maxsize=1)
def all_timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def common_timezones() -> list[str]:
    """Zones offered in pickers: the canonical region/city names, sorted."""
    return sorted(z for z in all_timezones()
                  if "/" in z and not z.startswith(("Etc/", "SystemV/", "US/", "posix/", "right/")))


def is_valid_timezone(name: str | None) -> bool:
    return bool(name) and name in all_timezones()


@lru_cache(maxsize=512)
def get_zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(f"Unknown time zone: {name}", field="timezone") from exc


def validate_timezone(name: str | None, field: str = "timezone") -> str:
    from flask_babel import gettext as _
    if not is_valid_timezone(name):
        raise ValidationError(_("Unknown time zone: %(zone)s", zone=name or ""), field=field,
                              code="unknown_timezone")
    return name


def to_zone(instant: datetime, zone: str) -> datetime:
    return instant.astimezone(get_zone(zone))


def zone_label(zone: str, instant: datetime | None = None) -> str:
    """A short name for the zone at that instant: WIB, MYT, PKT, CET, or UTC+05:30."""
    if zone in ("UTC", "Etc/UTC"):
        return "UTC"
    instant = instant or datetime.now(UTC)
    local = instant.astimezone(get_zone(zone))
    if zone in COMMON_ABBREVIATIONS:
        return COMMON_ABBREVIATIONS[zone]
    name = local.tzname() or ""
    if name and name.isalpha():
        return name
    offset = local.utcoffset()
    total = int(offset.total_seconds() // 60) if offset else 0
    sign = "+" if total >= 0 else "-"
    hours, minutes = divmod(abs(total), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}" if minutes else f"UTC{sign}{hours}"


def _locale():
    return current_language()


# Babel's format_date/format_time parse the locale and look the pattern up on every call;
# a page listing 40 sessions called them 80 times. The parsed locale and the compiled
# pattern are kept (a few of each: two languages, a handful of formats).

@lru_cache(maxsize=16)
def _babel_locale(code: str) -> Locale:
    return Locale.parse(code)


@lru_cache(maxsize=64)
def _date_pattern(fmt: str, code: str):
    if fmt in ("full", "long", "medium", "short"):
        return parse_pattern(get_date_format(fmt, locale=_babel_locale(code)))
    return parse_pattern(fmt)


def _babel_date(local: datetime, fmt: str, code: str) -> str:
    return _date_pattern(fmt, code).apply(local.date(), _babel_locale(code))


def _hh_mm(local: datetime, code: str) -> str:
    return _date_pattern("HH:mm", code).apply(local, _babel_locale(code))


def format_time(instant: datetime, zone: str, locale: str | None = None) -> str:
    """``14:00 WIB``"""
    local = to_zone(instant, zone)
    return f"{_hh_mm(local, locale or _locale())} {zone_label(zone, instant)}"


# CLDR's full Indonesian date pads the day ("Selasa, 05 Desember 2023"); written
# Indonesian does not: "Selasa, 5 Desember 2023"
FULL_DATE = {"id": "EEEE, d MMMM y"}


def _date_format(fmt: str, locale: str) -> str:
    return FULL_DATE.get(str(locale).split("_")[0], fmt) if fmt == "full" else fmt


def format_date(instant: datetime, zone: str, locale: str | None = None, fmt: str = "full") -> str:
    return _babel_date(to_zone(instant, zone), _date_format(fmt, locale or _locale()), locale or _locale())


def format_datetime(instant: datetime, zone: str, locale: str | None = None) -> str:
    """``Tuesday, 5 December 2023, 14:00 WIB``"""
    local = to_zone(instant, zone)
    loc = locale or _locale()
    day = _babel_date(local, _date_format("full", loc), loc)
    return f"{day}, {_hh_mm(local, loc)} {zone_label(zone, instant)}"


def format_local_iso(instant: datetime, zone: str) -> str:
    return to_zone(instant, zone).isoformat()


def iso_utc(instant: datetime | None) -> str | None:
    """``2023-12-05T07:00:00Z``"""
    if instant is None:
        return None
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def parse_aware(value, field: str = "starts_at") -> datetime:
    """Parse an ISO 8601 instant that carries an offset; a naive time is refused."""
    from flask_babel import gettext as _
    if isinstance(value, datetime):
        parsed = value
    else:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(_("A date and time is required."), field=field)
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError as exc:
            raise ValidationError(_("Not an ISO 8601 date and time: %(value)s", value=value),
                                  field=field) from exc
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise ValidationError(
            _("The time must carry a UTC offset, e.g. 2023-12-05T14:00:00+07:00."), field=field,
            code="naive_datetime")
    return parsed.astimezone(UTC)
