"""Bulk import of enrolments from CSV (UTF-8 with or without BOM, cp1252, UTF-16; `,`, `;`
or tab) and XLSX: read, preview with per-row validation, then all rows or none.

Rows whose email is already enrolled are skipped, so importing the same file twice
creates no duplicates.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from ..audit.services import record as audit
from ..db import utcnow
from ..errors import DomainError, ValidationError
from ..extensions import db
from ..scheduling.models import Training
from . import services
from .models import Enrolment

COLUMNS = ("name", "email", "country", "organisation", "sector", "timezone", "language")
REQUIRED = ("name", "email", "country")
_ALIASES = {
    "name": "name", "nama": "name", "full name": "name", "nama lengkap": "name",
    "email": "email", "e-mail": "email", "e mail": "email", "email address": "email",
    "surel": "email", "alamat email": "email", "alamat surel": "email",
    "country": "country", "negara": "country", "country code": "country",
    "organisation": "organisation", "organization": "organisation", "organisasi": "organisation",
    "lembaga": "organisation", "institution": "organisation",
    "sector": "sector", "sektor": "sector",
    "timezone": "timezone", "time zone": "timezone", "zona waktu": "timezone", "tz": "timezone",
    "language": "language", "bahasa": "language", "preferred language": "language",
}
XLSX_MAGIC = b"PK\x03\x04"


class FileTooLarge(DomainError):
    status = 413
    code = "file_too_large"


def max_rows() -> int:
    return int(current_app.config["ENROLMENT_IMPORT_MAX_ROWS"])


def _file_error(message, code="invalid_file") -> ValidationError:
    return ValidationError(message, field="file", code=code)


# --------------------------------------------------------------------------- reading

def _decode(data: bytes) -> str:
    """Text of a CSV file. Each line is read as UTF-8, else as Windows-1252 (spreadsheet
    programs on Windows), so a file that mixes the two still reads correctly."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise _file_error(_("The file could not be read: it is not valid UTF-16 text."),
                              code="invalid_encoding") from exc
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if b"\x00" in data:
        raise _file_error(_("This is not a CSV or XLSX file (it contains binary data)."),
                          code="invalid_encoding")
    lines = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            lines.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                lines.append(raw.decode("cp1252"))
            except UnicodeDecodeError as exc:
                raise _file_error(_("Line %(n)d of the file is neither UTF-8 nor Windows-1252 "
                                    "text. Save the file as “CSV UTF-8” and try again.",
                                    n=number), code="invalid_encoding") from exc
    return "\n".join(lines)


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _xlsx_rows(data: bytes):
    from openpyxl import load_workbook
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield [_cell(v) for v in row]
        workbook.close()
    except DomainError:
        raise
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same answer
        raise _file_error(_("The XLSX file could not be read. Save it again from your "
                            "spreadsheet program, or export it as CSV.")) from exc


def _csv_rows(data: bytes):
    text = _decode(data)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first))
    try:
        yield from reader
    except csv.Error as exc:
        raise _file_error(_("The CSV file could not be read: %(error)s", error=str(exc))) from exc


def read_table(data: bytes, filename: str | None = None) -> list[dict]:
    """Rows of an uploaded file: ``[{"row": 1, "values": {"name": ..., ...}}, ...]``.

    ``row`` is the 1-based data row (the line after the header is row 1); blank rows
    are left out but keep their number. Columns are matched by name in English or
    Indonesian, in any order; other columns are ignored."""
    if not data or not data.strip():
        raise _file_error(_("The file is empty."), code="empty_file")
    is_xlsx = data.startswith(XLSX_MAGIC) or (filename or "").lower().endswith(".xlsx")
    rows_iter = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    header = None
    for header_candidate in rows_iter:
        if any(c.strip() for c in header_candidate):
            header = header_candidate
            break
    if header is None:
        raise _file_error(_("The file has no header row."), code="empty_file")
    columns: dict[int, str] = {}
    for index, name in enumerate(header):
        key = " ".join(name.replace("\ufeff", "").replace("_", " ").strip().casefold().split())
        canonical = _ALIASES.get(key)
        if canonical and canonical not in columns.values():
            columns[index] = canonical
    missing = [c for c in REQUIRED if c not in columns.values()]
    if missing:
        raise ValidationError(
            _("The header row lacks these columns: %(names)s. Expected columns: %(all)s.",
              names=", ".join(missing), all=", ".join(COLUMNS)),
            code="missing_columns",
            details=[{"field": name, "message": _("Column missing: %(name)s", name=name)}
                     for name in missing])
    limit = max_rows()
    rows = []
    for number, cells in enumerate(rows_iter, start=1):
        if number > limit:
            raise FileTooLarge(_("The file has more than %(n)d rows. Split it into smaller "
                                 "files.", n=limit), field="file")
        if not any((c or "").strip() for c in cells):
            continue
        values = {name: (cells[index] if index < len(cells) else "") for index, name in columns.items()}
        rows.append({"row": number, "values": values})
    if not rows:
        raise _file_error(_("The file has a header but no rows."), code="empty_file")
    return rows


# --------------------------------------------------------------------------- validation

@dataclass
class RowResult:
    row: int
    values: dict
    clean: dict | None = None
    errors: list[dict] = field(default_factory=list)
    skipped: bool = False
    outcome: str | None = None  # "accepted" or "waitlisted" if imported now

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Preview:
    rows: list[RowResult]

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.rows if r.errors]

    @property
    def new(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok and not r.skipped]

    @property
    def skipped(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok and r.skipped]

    def details(self) -> list[dict]:
        """One entry per bad row: the first field and every message, plus all errors."""
        out = []
        for result in self.errors:
            out.append({"row": result.row, "field": result.errors[0]["field"],
                        "message": "; ".join(f"{e['field']}: {e['message']}" for e in result.errors),
                        "errors": result.errors})
        return out


def preview(training: Training, rows: list[dict]) -> Preview:
    """Validate every row; rows whose email is already enrolled are marked as skipped."""
    existing = set(db.session.scalars(select(Enrolment.email).where(
        Enrolment.training_id == training.id)))
    seen: dict[str, int] = {}
    results = []
    for item in rows:
        result = RowResult(row=int(item["row"]), values=dict(item["values"]))
        values = {k: v for k, v in item["values"].items() if k in COLUMNS}
        try:
            result.clean = services.clean_enrolment_data(values, fill_defaults=True)
        except ValidationError as error:
            result.errors = [{"field": d.get("field") or "row", "message": str(d.get("message"))}
                             for d in (error.details or [{"field": error.field,
                                                          "message": str(error.message)}])]
        if result.clean:
            email = result.clean["email"]
            if email in seen:
                result.errors.append({"field": "email", "message": _(
                    "This email address is already in row %(n)d of this file.", n=seen[email])})
            else:
                seen[email] = result.row
                result.skipped = email in existing
        results.append(result)
    seats = services.count_seats(training)
    for result in results:
        if result.ok and not result.skipped:
            country = result.clean["country_code"]
            result.outcome = "accepted" if seats.fits(country) else "waitlisted"
            if result.outcome == "accepted":
                seats.take(country)
    return Preview(rows=results)


def import_rows(training: Training, rows: list[dict], *, actor=None, notify: bool = True) -> dict:
    """Create the enrolments of every valid new row, or none when any row is bad.

    Returns ``{"created", "accepted", "waitlisted", "skipped"}``."""
    if len(rows) > max_rows():
        raise FileTooLarge(_("The file has more than %(n)d rows. Split it into smaller "
                             "files.", n=max_rows()), field="file")
    checked = preview(training, rows)
    if checked.errors:
        bad = len(checked.errors)
        raise ValidationError(
            _("%(n)d rows have errors; nothing was imported.", n=bad) if bad != 1
            else _("One row has errors; nothing was imported."),
            code="invalid_rows", details=checked.details())
    seats = services.lock_seats(training)
    existing = set(db.session.scalars(select(Enrolment.email).where(
        Enrolment.training_id == training.id)))
    created: list[Enrolment] = []
    skipped = 0
    for result in checked.rows:
        if result.clean["email"] in existing:
            skipped += 1
            continue
        enrolment = Enrolment(training_id=training.id, **result.clean)
        if seats.fits(enrolment.country_code):
            enrolment.status = "accepted"
            enrolment.decided_at = utcnow()
            seats.take(enrolment.country_code)
        else:
            enrolment.status = "waitlisted"
        db.session.add(enrolment)
        created.append(enrolment)
    db.session.flush()
    for enrolment in created:
        services.after_status(enrolment, notify_person=notify)
    audit(training.id, actor, "enrolment.imported", training,
          {"created": len(created), "skipped": skipped,
           "enrolments": [e.id for e in created]})
    return {"created": len(created),
            "accepted": sum(1 for e in created if e.status == "accepted"),
            "waitlisted": sum(1 for e in created if e.status == "waitlisted"),
            "skipped": skipped}
