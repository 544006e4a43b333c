"""Bulk import: CSV with or without BOM, `,` or `;`, Windows-1252 and mixed encodings,
XLSX; hostile values; all or nothing; re-import skips; size and row limits."""
from pathlib import Path

import pytest
from sqlalchemy import func, select

from trainings.enrolment import imports, services
from trainings.enrolment.models import Enrolment
from trainings.errors import ValidationError
from trainings.extensions import db

DATA = Path(__file__).parent / "data" / "enrolment"


def load(name):
    return (DATA / name).read_bytes()


def count(training=None):
    query = select(func.count()).select_from(Enrolment)
    if training is not None:
        query = query.where(Enrolment.training_id == training.id)
    return db.session.scalar(query)


def run(training, data, filename="f.csv"):
    result = imports.import_rows(training, imports.read_table(data, filename))
    db.session.commit()
    return result


def test_csv_with_bom_is_imported_and_countries_normalised(make):
    training = make.training(capacity=3, quotas={"ID": 1})
    result = run(training, load("participants.csv"))
    assert result == {"created": 4, "accepted": 3, "waitlisted": 1, "skipped": 0}
    people = {e.email: e for e in services.list_enrolments(training)}
    assert people["siti@example.org"].name == "Siti Rahmawati"  # the BOM is not in the header
    assert people["siti@example.org"].sector == "activist"       # "aktivis"
    assert people["ayesha@example.org"].country_code == "PK"     # "PAK"
    assert people["ayu@example.org"].status == "waitlisted"      # Indonesia's quota of 1


def test_preview_tells_who_would_get_a_place_and_writes_nothing(make):
    training = make.training(capacity=3, quotas={"ID": 1})
    checked = imports.preview(training, imports.read_table(load("participants.csv")))
    assert [r.outcome for r in checked.rows] == ["accepted", "accepted", "accepted", "waitlisted"]
    assert count() == 0


def test_reimporting_the_same_file_creates_no_duplicates(make):
    training = make.training()
    run(training, load("participants.csv"))
    again = run(training, load("participants.csv"))
    assert again == {"created": 0, "accepted": 0, "waitlisted": 0, "skipped": 4}
    assert count(training) == 4
    checked = imports.preview(training, imports.read_table(load("participants.csv")))
    assert len(checked.skipped) == 4 and not checked.new


def test_semicolons_windows_1252_and_indonesian_headers(make):
    training = make.training()
    result = run(training, load("semicolon-cp1252.csv"))
    assert result["created"] == 3
    people = {e.email: e for e in services.list_enrolments(training)}
    assert people["juergen@example.org"].name == "Jürgen Müller"
    assert people["juergen@example.org"].country_code == "DE"
    assert people["begona@example.org"].name == "Begoña Núñez"
    assert people["begona@example.org"].organisation == "Fundación Ñ"
    assert people["zubaidah@example.org"].name == "Siti Zubaidah; Ismail"
    # no time zone column: the country's main zone; no language: by country
    assert people["juergen@example.org"].timezone == "Europe/Berlin"
    assert people["zubaidah@example.org"].timezone == "Asia/Kuala_Lumpur"


def test_mixed_encodings_read_line_by_line(make):
    training = make.training()
    run(training, load("mixed-encodings.csv"))
    names = {e.name for e in services.list_enrolments(training)}
    assert names == {"José Ramos-Horta", "François Dupont"}


def test_xlsx_is_imported(make):
    training = make.training()
    result = run(training, load("participants.xlsx"), "peserta.xlsx")
    assert result["created"] == 3
    emails = {e.email for e in services.list_enrolments(training)}
    assert emails == {"rabia@example.org", "nurul@example.org", "kavitha@example.org"}


def test_xlsx_recognised_without_a_filename(make):
    rows = imports.read_table(load("participants.xlsx"), None)
    assert [r["row"] for r in rows] == [1, 2, 4]  # the blank row keeps its number


def test_hostile_values_are_stored_as_text_and_exported_neutralised(make, login):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    run(training, load("hostile.csv"))
    stored = {e.email: e for e in services.list_enrolments(training)}
    assert stored["formula@example.org"].name.startswith("=HYPERLINK(")
    assert stored["markup@example.org"].name == '<script>alert("x")</script>'
    client = login(organiser)
    page = client.get(f"/trainings/{training.id}/participants").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert" in page
    csv_text = client.get(f"/trainings/{training.id}/enrolments.csv").data.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text and "'+SUM(1,2)" in csv_text and "'@evil" in csv_text
    assert "'-2+3" in csv_text and "\tTabbed" not in csv_text  # whitespace is normalised on input
    assert "\n=" not in csv_text and ",=" not in csv_text


def test_one_bad_row_and_nothing_is_written(make):
    training = make.training()
    with pytest.raises(ValidationError) as error:
        run(training, load("bad-rows.csv"))
    db.session.rollback()
    assert count() == 0
    details = {d["row"]: d for d in error.value.details}
    assert sorted(details) == [2, 3, 4]  # one entry per bad row; row 1 is fine
    assert details[2]["field"] == "email"
    assert {e["field"] for e in details[3]["errors"]} == {"name", "country", "timezone", "language"}
    assert "row 1" in details[4]["message"]  # the same email twice in the file


@pytest.mark.parametrize("data,code", [
    (b"", "empty_file"),
    (b"name,email,country\r\n", "empty_file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "invalid_encoding"),
    (b"name,email,country\nA,a@example.org,\x81\x8d\x90\n", "invalid_encoding"),
    (b"nom,courriel\nA,a@example.org\n", "missing_columns"),
    (b"PK\x03\x04this is no workbook", "invalid_file"),
])
def test_unreadable_files_get_a_clear_error(make, data, code):
    with pytest.raises(ValidationError) as error:
        imports.read_table(data)
    assert error.value.code == code
    assert str(error.value.message)


def test_utf16_from_spreadsheet_unicode_text(make):
    data = "name\temail\tcountry\nŁucja Kowalska\tlucja@example.org\tPolandia\n".encode("utf-16")
    rows = imports.read_table(data)
    assert rows[0]["values"] == {"name": "Łucja Kowalska", "email": "lucja@example.org",
                                 "country": "Polandia"}


def test_row_limit(app, make):
    app.config["ENROLMENT_IMPORT_MAX_ROWS"] = 3
    data = b"name,email,country\n" + b"".join(
        f"P{n},p{n}@example.org,ID\n".encode() for n in range(4))
    with pytest.raises(imports.FileTooLarge) as error:
        imports.read_table(data)
    assert error.value.status == 413
    rows = [{"row": n, "values": {"name": "P", "email": f"p{n}@example.org", "country": "ID"}}
            for n in range(1, 5)]  # e.g. a tampered preview posted back
    with pytest.raises(imports.FileTooLarge):
        imports.import_rows(make.training(), rows)


def test_very_long_fields_are_row_errors_not_crashes(make):
    training = make.training()
    data = ("name,email,country,organisation\n"
            f"Ok,ok@example.org,ID,{'O' * 201}\n").encode()
    with pytest.raises(ValidationError) as error:
        run(training, data)
    assert error.value.details[0]["row"] == 1
    assert error.value.details[0]["field"] == "organisation"
