"""Exports open safely in spreadsheet programs: BOM, diacritics, no formulas."""
import csv
import io

from openpyxl import load_workbook

from trainings.exports import csv_bytes, xlsx_bytes

HOSTILE = ["=HYPERLINK(\"http://evil\")", "+1+1", "-2", "@SUM(A1)", "\tx", "\rx", "Siti Rahmawati",
           "Ñuñoa – Çağrı", 42]


def test_csv_has_bom_keeps_diacritics_and_neutralises_formulas():
    data = csv_bytes(["name"], [[v] for v in HOSTILE])
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    values = [r[0] for r in rows[1:]]
    assert values[:6] == ["'" + v for v in HOSTILE[:6]]
    assert values[6:] == ["Siti Rahmawati", "Ñuñoa – Çağrı", "42"]


def test_xlsx_cells_are_text_never_formulas():
    workbook = load_workbook(io.BytesIO(xlsx_bytes(["name"], [[v] for v in HOSTILE])))
    cells = [row[0] for row in workbook.active.iter_rows(min_row=2)]
    assert all(c.data_type != "f" for c in cells)
    assert [c.value for c in cells][:4] == ["'" + v for v in HOSTILE[:4]]
    assert cells[-1].value == 42
