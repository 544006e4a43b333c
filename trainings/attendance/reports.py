"""Video-meeting participant reports: one adapter per platform, one row shape out.

Each adapter turns the platform's export into :class:`ReportRow` values (a person's name,
email, and one join/leave interval or a number of minutes); the import pipeline in
``services.py`` does the rest (merging, thresholds, matching).

Supported:
  * Zoom "Participants" export (``Name (Original Name)``, ``User Email``, ``Join Time``,
    ``Leave Time``, ``Duration (Minutes)``, ``Guest``), with or without the meeting block
    above it, and the "unique users" variant (``Total Duration (Minutes)``);
  * Google Meet attendance CSV (``Name`` or ``First name``/``Last name``, ``Email``,
    ``Duration`` as free text such as "1 hr 2 min", ``Time joined``, ``Time exited``);
  * Microsoft Teams attendance report (UTF-16, tab-separated, in sections; durations
    such as "59m 35s"), and the older Teams attendance list (``Full Name``, ``User
    Action`` Joined/Left, ``Timestamp``), whose events are paired into intervals.

Times in these reports carry no zone: they are read in the training's home zone unless
the value states an offset ("2023-12-05 14:01:00+07:00", "... GMT+7").
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from flask_babel import lazy_gettext as _l

from ..errors import ValidationError
from ..timezones import get_zone

MAX_BYTES = 5 * 1024 * 1024


@dataclass
class ReportRow:
    name: str
    email: str
    join: datetime | None
    leave: datetime | None
    minutes: float | None
    line: int

    def to_dict(self) -> dict:
        return {"name": self.name, "email": self.email, "line": self.line,
                "join": self.join.isoformat() if self.join else None,
                "leave": self.leave.isoformat() if self.leave else None,
                "minutes": self.minutes}

    @classmethod
    def from_dict(cls, data: dict) -> ReportRow:
        return cls(name=data["name"], email=data["email"], line=data.get("line", 0),
                   join=datetime.fromisoformat(data["join"]) if data.get("join") else None,
                   leave=datetime.fromisoformat(data["leave"]) if data.get("leave") else None,
                   minutes=data.get("minutes"))


@dataclass
class Report:
    platform: str  # zoom, meet, teams
    rows: list[ReportRow]


class ReportError(ValidationError):
    code = "invalid_report"


# ---------------------------------------------------------------- decoding and tables

def decode(data: bytes) -> str:
    if not data or not data.strip():
        raise ReportError(_l("The file is empty."), field="report")
    if len(data) > MAX_BYTES:
        raise ReportError(_l("The file is too large (at most 5 MB)."), field="report")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = data.decode("utf-16", errors="replace")
    elif len(data) > 3 and data[1] == 0 and data[3] == 0:
        text = data.decode("utf-16-le", errors="replace")
    else:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = data.decode("cp1252")
            except UnicodeDecodeError:
                text = ""
    if not text or "\x00" in text:
        raise ReportError(_l("This is not a text (CSV) file. Upload the participant report "
                             "exported from Zoom, Google Meet or Microsoft Teams."), field="report")
    return text.replace("\u202f", " ").replace("\u00a0", " ")


def _table(text: str) -> list[list[str]]:
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") >= first.count(",") and "\t" in text else ","
    return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _key(cell: str) -> str:
    return re.sub(r"\s+", " ", cell.strip().lower())


def _blank(row: list[str]) -> bool:
    return not any(cell.strip() for cell in row)


# ---------------------------------------------------------------- values

_UNITS = {"h": 60, "hr": 60, "hrs": 60, "hour": 60, "hours": 60, "jam": 60,
          "m": 1, "min": 1, "mins": 1, "minute": 1, "minutes": 1, "mnt": 1, "menit": 1,
          "s": 1 / 60, "sec": 1 / 60, "secs": 1 / 60, "second": 1 / 60, "seconds": 1 / 60,
          "dtk": 1 / 60, "detik": 1 / 60}


def parse_duration(value: str) -> float | None:
    """Minutes from "1 hr 2 min", "59m 35s", "1h 2m 3s", "45", "1:02:03"; None when empty."""
    text = (value or "").strip().lower()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    if re.fullmatch(r"\d+:\d{2}(:\d{2})?", text):
        parts = [int(p) for p in text.split(":")]
        if len(parts) == 2:
            return parts[0] + parts[1] / 60
        return parts[0] * 60 + parts[1] + parts[2] / 60
    total = 0.0
    found = False
    for number, unit in re.findall(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)", text):
        if unit not in _UNITS:
            raise ValueError(value)
        total += float(number.replace(",", ".")) * _UNITS[unit]
        found = True
    if not found:
        raise ValueError(value)
    return total


_DATE_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M",
                 "%m/%d/%y, %I:%M:%S %p", "%m/%d/%Y, %I:%M:%S %p", "%m/%d/%y, %I:%M %p",
                 "%m/%d/%y %I:%M:%S %p", "%m/%d/%y, %H:%M:%S", "%m/%d/%Y, %H:%M:%S",
                 "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d, %H:%M:%S",
                 "%d %b %Y %H:%M", "%d %b %Y, %H:%M", "%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M %p")
_TIME_FORMATS = ("%I:%M %p", "%I:%M:%S %p", "%H:%M", "%H:%M:%S")
_OFFSET = re.compile(r"\s*(?:GMT|UTC)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$")


class Clock:
    """Reads a report's local times in the training's zone, on the session's date."""

    def __init__(self, zone: str, session_date: date):
        self.zone = get_zone(zone)
        self.session_date = session_date

    def parse(self, value: str) -> datetime | None:
        text = (value or "").strip()
        if not text:
            return None
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=self.zone)
        except ValueError:
            pass
        tz = self.zone
        match = _OFFSET.search(text) if re.search(r"(GMT|UTC|\d)\s*[+-]\d", text) else None
        if match:
            sign = 1 if match.group(1) == "+" else -1
            tz = timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0)))
            text = text[:match.start()].strip()
        text = re.sub(r"\s+", " ", text.upper().replace("A.M.", "AM").replace("P.M.", "PM"))
        for fmt in _DATE_FORMATS:
            try:
                return datetime.strptime(text, fmt).replace(tzinfo=tz)
            except ValueError:
                continue
        for fmt in _TIME_FORMATS:
            try:
                t = datetime.strptime(text, fmt).time()
            except ValueError:
                continue
            return datetime.combine(self.session_date, t).replace(tzinfo=tz)
        raise ValueError(value)


def _bad_value(line: int, column: str, value: str) -> ReportError:
    return ReportError(
        _l("Line %(line)s: “%(value)s” in the column “%(column)s” could not be read.",
           line=line, value=value[:60], column=column),
        field="report", details=[{"field": "report", "row": line, "message": str(
            _l("Line %(line)s: “%(value)s” in the column “%(column)s” could not be read.",
               line=line, value=value[:60], column=column))}])


# ---------------------------------------------------------------- adapters


def _join_and_leave(clock, line: int, join_text: str, leave_text: str):
    """Parse a row's join and leave times, naming the column of a bad value."""
    try:
        join = clock.parse(join_text)
    except ValueError:
        raise _bad_value(line, "Join Time", join_text) from None
    try:
        leave = clock.parse(leave_text)
    except ValueError:
        raise _bad_value(line, "Leave Time", leave_text) from None
    return join, leave

def _find_header(table, predicate) -> int | None:
    for index, row in enumerate(table):
        keys = [_key(c) for c in row]
        if predicate(keys):
            return index
    return None


def _section_rows(table, header_index):
    for index in range(header_index + 1, len(table)):
        row = table[index]
        if _blank(row):
            break
        if len([c for c in row if c]) == 1 and re.match(r"^\d+\.\s", row[0]):
            break  # next Teams section ("3. In-Meeting Activities")
        yield index + 1, row


def _is_zoom(keys):
    return "user email" in keys and ("join time" in keys or "total duration (minutes)" in keys) \
        and "meeting id" not in keys


def _is_meet(keys):
    return "email" in keys and ("time joined" in keys or "duration" in keys) \
        and ("name" in keys or "first name" in keys) and "user email" not in keys


def _is_teams(keys):
    return ("name" in keys or "full name" in keys) and (
        ("join time" in keys and "leave time" in keys) or "first join" in keys
        or "in-meeting duration" in keys) and "user email" not in keys


def _cell(row, header, *names):
    for name in names:
        if name in header:
            i = header.index(name)
            return row[i].strip() if i < len(row) else ""
    return ""


def parse_zoom(table, clock: Clock) -> list[ReportRow]:
    h = _find_header(table, _is_zoom)
    header = [_key(c) for c in table[h]]
    rows = []
    for line, row in _section_rows(table, h):
        name = _cell(row, header, "name (original name)", "name (original name) ", "name")
        email = _cell(row, header, "user email")
        join_text = _cell(row, header, "join time")
        leave_text = _cell(row, header, "leave time")
        minutes_text = _cell(row, header, "duration (minutes)", "total duration (minutes)")
        join, leave = _join_and_leave(clock, line, join_text, leave_text)
        try:
            minutes = parse_duration(minutes_text)
        except ValueError:
            raise _bad_value(line, "Duration (Minutes)", minutes_text) from None
        if name or email:
            rows.append(ReportRow(name, email, join, leave, minutes, line))
    return rows


def parse_meet(table, clock: Clock) -> list[ReportRow]:
    h = _find_header(table, _is_meet)
    header = [_key(c) for c in table[h]]
    rows = []
    for line, row in _section_rows(table, h):
        name = _cell(row, header, "name", "full name")
        if not name:
            name = " ".join(p for p in (_cell(row, header, "first name"),
                                        _cell(row, header, "last name")) if p)
        email = _cell(row, header, "email")
        values = {}
        for column in ("time joined", "time exited"):
            text = _cell(row, header, column)
            try:
                values[column] = clock.parse(text)
            except ValueError:
                raise _bad_value(line, column.capitalize(), text) from None
        text = _cell(row, header, "duration")
        try:
            minutes = parse_duration(text)
        except ValueError:
            raise _bad_value(line, "Duration", text) from None
        leave = values["time exited"]
        if minutes is not None:
            leave = None  # one row per person: first join, last exit; Duration is the real time
        if name or email:
            rows.append(ReportRow(name, email, values["time joined"], leave, minutes, line))
    return rows


def parse_teams(table, clock: Clock) -> list[ReportRow]:
    # Prefer the "In-Meeting Activities" section (every join and leave) over "Participants".
    activity = _find_header(table, lambda k: _is_teams(k) and "join time" in k)
    h = activity if activity is not None else _find_header(table, _is_teams)
    header = [_key(c) for c in table[h]]
    rows = []
    for line, row in _section_rows(table, h):
        name = _cell(row, header, "name", "full name")
        email = _cell(row, header, "email", "participant id (upn)")
        join_text = _cell(row, header, "join time", "first join")
        leave_text = _cell(row, header, "leave time", "last leave")
        join, leave = _join_and_leave(clock, line, join_text, leave_text)
        text = _cell(row, header, "duration", "in-meeting duration")
        try:
            minutes = parse_duration(text)
        except ValueError:
            raise _bad_value(line, "Duration", text) from None
        if "@" not in email:
            email = ""
        if activity is None and minutes is not None:
            leave = None  # the Participants section: first join, last leave, total duration
        if name or email:
            rows.append(ReportRow(name, email, join, leave, minutes, line))
    return rows


def _is_teams_events(keys):
    return "full name" in keys and "user action" in keys and "timestamp" in keys


def parse_teams_events(table, clock: Clock) -> list[ReportRow]:
    """The older Teams attendance list: one "Joined"/"Left" event per line, paired here."""
    h = _find_header(table, _is_teams_events)
    header = [_key(c) for c in table[h]]
    rows: list[ReportRow] = []
    open_since: dict[str, tuple[datetime, int]] = {}
    last_seen: datetime | None = None
    for line, row in _section_rows(table, h):
        name = _cell(row, header, "full name")
        action = _cell(row, header, "user action").lower()
        text = _cell(row, header, "timestamp")
        try:
            moment = clock.parse(text)
        except ValueError:
            raise _bad_value(line, "Timestamp", text) from None
        if not name or moment is None:
            continue
        last_seen = max(last_seen, moment) if last_seen else moment
        if action.startswith("joined"):
            open_since.setdefault(name, (moment, line))
        elif action.startswith("left") and name in open_since:
            start, first_line = open_since.pop(name)
            rows.append(ReportRow(name, "", start, moment, None, first_line))
    for name, (start, line) in open_since.items():  # still in the meeting when it was saved
        rows.append(ReportRow(name, "", start, max(last_seen or start, start), None, line))
    return rows


ADAPTERS = (("zoom", _is_zoom, parse_zoom), ("teams", _is_teams_events, parse_teams_events),
            ("teams", _is_teams, parse_teams), ("meet", _is_meet, parse_meet))
PLATFORM_NAMES = {"zoom": "Zoom", "meet": "Google Meet", "teams": "Microsoft Teams"}


def detect(table) -> str | None:
    for platform, predicate, _parser in ADAPTERS:
        if _find_header(table, predicate) is not None:
            return platform
    return None


def parse_report(data: bytes, *, zone: str, session_date: date) -> Report:
    """Parse a report of any supported platform; a ReportError explains a wrong file."""
    text = decode(data)
    table = _table(text)
    platform = detect(table)
    if platform is None:
        raise ReportError(_l("This file is not a participant report we can read. Upload the "
                             "participants export of Zoom, the attendance CSV of Google Meet "
                             "or the attendance report of Microsoft Teams."), field="report")
    parser = next(p for name, pred, p in ADAPTERS
                  if name == platform and _find_header(table, pred) is not None)
    rows = parser(table, Clock(zone, session_date))
    if not rows:
        raise ReportError(_l("The report lists no participants."), field="report")
    for row in rows:
        if row.join and row.leave and row.leave < row.join:
            raise ReportError(_l("Line %(line)s: the leave time is before the join time.",
                                 line=row.line), field="report")
    return Report(platform=platform, rows=rows)


# ---------------------------------------------------------------- names

DEVICE_PHRASES = ("zoom rooms", "zoom room", "google meet", "microsoft teams", "hardware")
DEVICE_WORDS = {"iphone", "ipad", "android", "galaxy", "samsung", "pixel", "redmi", "xiaomi",
                "oppo", "vivo", "huawei", "realme", "macbook", "mac", "laptop", "pc", "desktop",
                "phone", "mobile", "tablet", "hp", "guest", "tamu", "external", "eksternal"}


def name_variants(name: str) -> list[str]:
    """A display name and the names inside its parentheses ("Siti N (Siti Nurhalizah)")."""
    inner = re.findall(r"\(([^)]*)\)", name or "")
    outer = re.sub(r"\([^)]*\)", " ", name or "")
    return [v for v in [outer, *inner] if v.strip()]


def normalise_name(name: str) -> str:
    """Case, accents, spacing and device words removed: "Çağla (iPhone)" -> "cagla"."""
    import unicodedata
    text = re.sub(r"\([^)]*\)", " ", name or "")
    text = text.replace("ı", "i").replace("İ", "I").replace("ł", "l").replace("Ł", "L") \
        .replace("ø", "o").replace("Ø", "O").replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['’`]s\b", " ", text)
    text = re.sub(r"[^\w]+|_", " ", text)
    for phrase in DEVICE_PHRASES:
        text = re.sub(rf"\b{phrase}\b", " ", text)
    words = [w for w in text.split() if w not in DEVICE_WORDS]
    return " ".join(words)
