"""Spreadsheet exports (CSV and XLSX) that spreadsheet programs open safely.

CSV is UTF-8 with a byte-order mark, so Excel reads the diacritics; no cell can start a
formula: a text value beginning with =, +, -, @, a tab or a carriage return gets a
leading apostrophe (OWASP's advice on CSV injection). XLSX cells get the same treatment
and are written as text, never as formulas.
"""
from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from flask import Response

from .web import send_download

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value):
    """A cell value that cannot start a formula. Numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence], title: str = "Export") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    workbook = Workbook(write_only=False)
    sheet = workbook.active
    sheet.title = title[:31] or "Export"
    sheet.append([neutralise(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([neutralise(v) for v in row])
    for row in sheet.iter_rows(min_row=1):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_response(header, rows, filename: str) -> Response:
    return send_download(csv_bytes(header, rows), filename, "text/csv; charset=utf-8")


def xlsx_response(header, rows, filename: str, title: str = "Export") -> Response:
    return send_download(xlsx_bytes(header, rows, title), filename, XLSX_MIMETYPE)
