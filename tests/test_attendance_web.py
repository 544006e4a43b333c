"""Attendance pages and API: wiring, permissions, exports, the matrix's query count."""
import csv
import io
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from trainings.attendance.models import AttendanceChange, AttendanceImport, AttendanceRecord
from trainings.extensions import db

DATA = Path(__file__).parent / "data" / "attendance"


@pytest.fixture
def setup(make):
    organiser = make.user("organiser")
    facilitator = make.user("facilitator")
    other_facilitator = make.user("facilitator")
    participant = make.user("participant")
    training = make.training(organiser=organiser, sessions=3)
    session = training.sessions[0]
    session.facilitators.append(facilitator)
    db.session.commit()
    people = [make.enrolment(training, user=participant, country="ID"),
              make.enrolment(training, name="=HYPERLINK(\"x\")", country="PK"),
              make.enrolment(training, name="Tan Mei Ling", email="tan.meiling@example.org",
                             country="MY")]
    return dict(organiser=organiser, facilitator=facilitator, other=other_facilitator,
                participant=participant, training=training, session=session, people=people)


def status_of(session, enrolment):
    return db.session.scalar(select(AttendanceRecord.status).where(
        AttendanceRecord.session_id == session.id, AttendanceRecord.enrolment_id == enrolment.id))


# ---------------------------------------------------------------- API

def test_api_put_attendance(setup, api):
    s, (a, b, _c) = setup["session"], setup["people"]
    response = api(setup["facilitator"]).put(
        f"/api/v1/sessions/{s.id}/attendance",
        json={"records": [{"enrolment": a.id, "status": "present"},
                          {"enrolment": b.id, "status": "excused"}]})
    assert response.status_code == 200
    assert response.get_json() == {"updated": 2}
    assert status_of(s, a) == "present"
    bad = api(setup["organiser"]).put(f"/api/v1/sessions/{s.id}/attendance",
                                      json={"records": [{"enrolment": a.id, "status": "asleep"}]})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["code"] == "validation_error"


@pytest.mark.parametrize("who", ["other", "participant"])
def test_api_marking_forbidden_for_others(setup, api, who):
    s, a = setup["session"], setup["people"][0]
    response = api(setup[who]).put(f"/api/v1/sessions/{s.id}/attendance",
                                   json={"records": [{"enrolment": a.id, "status": "present"}]})
    assert response.status_code == 403
    imported = api(setup[who]).post(f"/api/v1/sessions/{s.id}/attendance/import",
                                    data=(DATA / "zoom_participants.csv").read_bytes(),
                                    headers={"Content-Type": "text/csv"})
    assert imported.status_code == 403
    assert api(setup[who]).get(f"/api/v1/trainings/{setup['training'].id}/attendance").status_code == 403
    assert status_of(s, a) is None


def test_api_import_and_matrix_shapes(setup, api):
    s, training = setup["session"], setup["training"]
    tan = setup["people"][2]
    response = api(setup["organiser"]).post(
        f"/api/v1/sessions/{s.id}/attendance/import?min_minutes=15",
        data=(DATA / "zoom_participants.csv").read_bytes(), headers={"Content-Type": "text/csv"})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"present", "absent", "kept", "unmatched", "import"} and body["kept"] == 0
    assert db.session.get(AttendanceImport, body["import"]).session_id == s.id
    assert body["present"] == 1 and body["absent"] == 2  # Tan (20 min >= 15); two not in it
    assert {"name": "Budi (Android)", "email": None, "minutes": 30} in body["unmatched"]
    assert status_of(s, tan) == "present"

    matrix = api(setup["organiser"]).get(f"/api/v1/trainings/{training.id}/attendance").get_json()
    assert set(matrix) == {"sessions", "rows"}
    assert [x["number"] for x in matrix["sessions"]] == [1, 2, 3]
    assert set(matrix["sessions"][0]) == {"id", "number"}
    row = next(r for r in matrix["rows"] if r["enrolment"] == tan.id)
    assert row == {"enrolment": tan.id, "name": "Tan Mei Ling", "country": "MY",
                   "statuses": ["present", None, None], "attended": 1, "eligible": False}


def test_api_import_wrong_file_and_bad_min_minutes(setup, api):
    s = setup["session"]
    bad = api(setup["organiser"]).post(f"/api/v1/sessions/{s.id}/attendance/import",
                                       data=(DATA / "not_a_report.csv").read_bytes(),
                                       headers={"Content-Type": "text/csv"})
    assert bad.status_code == 422
    assert "not a participant report" in bad.get_json()["error"]["message"]
    assert db.session.scalar(select(AttendanceChange.id)) is None
    minutes = api(setup["organiser"]).post(f"/api/v1/sessions/{s.id}/attendance/import?min_minutes=x",
                                           data=b"a", headers={"Content-Type": "text/csv"})
    assert minutes.status_code == 422
    assert minutes.get_json()["error"]["details"][0]["field"] == "min_minutes"


def test_api_import_keeps_hand_set_statuses_unless_overwrite(setup, api):
    s, tan = setup["session"], setup["people"][2]
    caller = api(setup["facilitator"])
    assert caller.put(f"/api/v1/sessions/{s.id}/attendance", json={"records": [
        {"enrolment": p.id, "status": "present"} for p in setup["people"]]}).status_code == 200
    report = (DATA / "zoom_participants.csv").read_bytes()
    kept = caller.post(f"/api/v1/sessions/{s.id}/attendance/import", data=report,
                       headers={"Content-Type": "text/csv"})
    assert kept.status_code == 200 and kept.get_json()["kept"] == 3
    assert status_of(s, tan) == "present"
    bad = caller.post(f"/api/v1/sessions/{s.id}/attendance/import?overwrite=perhaps", data=report,
                      headers={"Content-Type": "text/csv"})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["details"][0]["field"] == "overwrite"
    lowered = caller.post(f"/api/v1/sessions/{s.id}/attendance/import?overwrite=true", data=report,
                          headers={"Content-Type": "text/csv"})
    assert lowered.status_code == 200 and lowered.get_json()["kept"] == 0
    assert status_of(s, tan) == "absent"


# ---------------------------------------------------------------- roll call page

def test_roll_call_saves_only_changed_records(setup, login, client):
    s, (a, b, c) = setup["session"], setup["people"]
    login(setup["facilitator"])
    page = client.get(f"/sessions/{s.id}/attendance")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'name="status-{a.id}"' in html and "Mark all present" in html
    # somebody else marks c meanwhile; this page still shows c as unmarked
    from trainings.attendance import services
    services.set_records(s, [{"enrolment": c.id, "status": "excused"}], actor=setup["organiser"])
    db.session.commit()
    response = client.post(f"/sessions/{s.id}/attendance", data={
        f"status-{a.id}": "late", f"orig-status-{a.id}": "", f"note-{a.id}": "Sinyal buruk",
        f"orig-note-{a.id}": "",
        f"orig-status-{b.id}": "", f"note-{b.id}": "", f"orig-note-{b.id}": "",
        f"orig-status-{c.id}": "", f"note-{c.id}": "", f"orig-note-{c.id}": ""})
    assert response.status_code == 302
    assert status_of(s, a) == "late" and status_of(s, b) is None
    assert status_of(s, c) == "excused"  # not overwritten
    page = client.get(f"/sessions/{s.id}/attendance").get_data(as_text=True)
    assert "Sinyal buruk" in page and setup["facilitator"].name in page
    audit = client.get(f"/sessions/{s.id}/attendance/audit").get_data(as_text=True)
    assert "By hand" in audit and "Sinyal buruk" in audit


def test_mark_all_present_button(setup, login, client):
    s = setup["session"]
    login(setup["organiser"])
    assert client.post(f"/sessions/{s.id}/attendance/mark-all-present").status_code == 302
    assert all(status_of(s, p) == "present" for p in setup["people"])


@pytest.mark.parametrize("who, code", [("other", 403), ("participant", 403)])
def test_roll_call_pages_forbidden(setup, login, client, who, code):
    s = setup["session"]
    login(setup[who])
    for path in (f"/sessions/{s.id}/attendance", f"/sessions/{s.id}/attendance/import",
                 f"/sessions/{s.id}/attendance/audit", f"/trainings/{setup['training'].id}/attendance",
                 f"/trainings/{setup['training'].id}/attendance.csv"):
        assert client.get(path).status_code == code, path
    assert client.post(f"/sessions/{s.id}/attendance/mark-all-present").status_code == code
    assert status_of(s, setup["people"][0]) is None


def test_csrf_is_required(setup, app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with client.session_transaction() as browser_session:
        browser_session["_user_id"] = setup["organiser"].get_id()
        browser_session["_fresh"] = True
        browser_session["login_at"] = browser_session["seen_at"] = time.time()
    s = setup["session"]
    assert client.get(f"/sessions/{s.id}/attendance").status_code == 200  # logged in
    response = client.post(f"/sessions/{s.id}/attendance/mark-all-present")
    assert response.status_code == 400
    response = client.post(f"/sessions/{s.id}/attendance",
                           data={f"status-{setup['people'][0].id}": "present"})
    assert response.status_code == 400
    db.session.expire_all()
    assert status_of(s, setup["people"][0]) is None


# ---------------------------------------------------------------- import page

def test_import_upload_preview_match_apply(setup, login, client):
    s, tan = setup["session"], setup["people"][2]
    a = setup["people"][0]
    login(setup["facilitator"])
    upload = client.post(f"/sessions/{s.id}/attendance/import",
                         data={"report": (io.BytesIO((DATA / "zoom_participants.csv").read_bytes()),
                                          "zoom.csv")}, content_type="multipart/form-data")
    assert upload.status_code == 302
    preview_url = upload.headers["Location"]
    preview = client.get(preview_url)
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Budi (Android)" in html and "Tan Mei Ling" in html
    assert status_of(s, tan) is None  # nothing applied yet
    token = preview_url.split("token=")[1]
    # match the unmatched row "Budi (Android)" by hand to participant a; 25 minutes are enough
    rows = [line for line in html.splitlines() if 'id="match-' in line]
    index = next(i for i, line in enumerate(html.split('<bdi>')[1:]) if line.startswith("Budi"))
    assert rows
    applied = client.post(f"/sessions/{s.id}/attendance/import/apply",
                          data={"token": token, "min_minutes": "25", f"match-{index}": str(a.id),
                                "action": "apply"})
    assert applied.status_code == 302
    assert status_of(s, a) == "present"  # Budi's 30 minutes, matched by hand
    assert status_of(s, tan) == "absent"  # 20 minutes < 25
    sources = set(db.session.scalars(select(AttendanceChange.source)))
    staged = db.session.scalar(select(AttendanceImport).where(AttendanceImport.token == token))
    assert sources == {f"import:zoom:zoom.csv#{staged.id}"}  # names the import, for its undo


def test_import_preview_shows_kept_and_the_box_overwrites(setup, login, client, api):
    s, tan = setup["session"], setup["people"][2]
    api(setup["facilitator"]).put(f"/api/v1/sessions/{s.id}/attendance",
                                  json={"records": [{"enrolment": tan.id, "status": "present"}]})
    login(setup["facilitator"])
    upload = client.post(f"/sessions/{s.id}/attendance/import",
                         data={"report": (io.BytesIO((DATA / "zoom_participants.csv").read_bytes()),
                                          "zoom.csv")}, content_type="multipart/form-data")
    html = client.get(upload.headers["Location"]).get_data(as_text=True)
    assert "kept: set by hand" in html and 'name="overwrite"' in html
    token = upload.headers["Location"].split("token=")[1]
    client.post(f"/sessions/{s.id}/attendance/import/apply", data={"token": token, "action": "apply"})
    assert status_of(s, tan) == "present"
    client.post(f"/sessions/{s.id}/attendance/import/apply",
                data={"token": token, "action": "apply", "overwrite": "y"})
    db.session.expire_all()
    assert status_of(s, tan) == "absent"


def test_import_wrong_file_shows_error(setup, login, client):
    login(setup["organiser"])
    response = client.post(f"/sessions/{setup['session'].id}/attendance/import",
                           data={"report": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00\x00"), "x.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not a text" in response.get_data(as_text=True)


# ---------------------------------------------------------------- matrix, settings, exports

def test_matrix_page_filter_and_settings(setup, login, client):
    training, s = setup["training"], setup["session"]
    from trainings.attendance import services
    services.set_records(s, [{"enrolment": p.id, "status": "present"} for p in setup["people"]],
                         actor=setup["organiser"])
    db.session.commit()
    login(setup["organiser"])
    html = client.get(f"/trainings/{training.id}/attendance").get_data(as_text=True)
    assert "Tan Mei Ling" in html and "<svg" in html and "Totals by country" in html
    assert f"/sessions/{s.id}/attendance" in html  # links to each roll call
    filtered = client.get(f"/trainings/{training.id}/attendance?country=MY").get_data(as_text=True)
    assert "Tan Mei Ling" in filtered and "HYPERLINK" not in filtered
    response = client.post(f"/trainings/{training.id}/attendance/settings", data={
        "min_sessions": "1", "min_percent": "", "mandatory_sessions": [str(s.id)],
        "excused_counts": "y", "threshold_percent": "50", "late_after_minutes": "10"})
    assert response.status_code == 302
    db.session.refresh(training)
    assert training.certificate_rule == {"min_sessions": 1, "mandatory_sessions": [s.id],
                                         "excused_counts": True}
    assert (training.attendance_threshold_percent, training.late_after_minutes) == (50, 10)
    bad = client.post(f"/trainings/{training.id}/attendance/settings", data={
        "min_sessions": "9", "threshold_percent": "0", "late_after_minutes": "10"})
    assert bad.status_code == 422


def test_settings_forbidden_for_facilitator(setup, login, client):
    login(setup["facilitator"])
    response = client.post(f"/trainings/{setup['training'].id}/attendance/settings",
                           data={"min_sessions": "1", "threshold_percent": "50",
                                 "late_after_minutes": "10"})
    assert response.status_code == 403


def test_exports_csv_and_xlsx_are_safe(setup, login, client):
    training, s = setup["training"], setup["session"]
    from trainings.attendance import services
    services.set_records(s, [{"enrolment": setup["people"][1].id, "status": "late"}],
                         actor=setup["organiser"])
    db.session.commit()
    login(setup["organiser"])
    response = client.get(f"/trainings/{training.id}/attendance.csv")
    assert response.status_code == 200
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Name", "Email", "Country"] and rows[0][-1] == "Eligible"
    hostile = next(r for r in rows if "HYPERLINK" in r[0])
    assert hostile[0].startswith("'=")
    assert hostile[3] == "late"
    xlsx = client.get(f"/trainings/{training.id}/attendance.xlsx")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert any(n.startswith("'=") for n in names)
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_matrix_queries_do_not_grow_with_participants(make, login, client, count_queries):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=5)
    login(organiser)
    counts = []
    from trainings.attendance import services
    total = 0
    for size in (10, 200):
        for i in range(size - total):
            make.enrolment(training, country=("ID", "MY", "PK")[i % 3], commit=False)
        db.session.commit()
        total = size
        ids = [e for e in services._accepted_ids(training.id)]
        for session in training.sessions[:3]:
            services.set_records(session, [{"enrolment": e, "status": "present"} for e in ids],
                                 actor=organiser)
        db.session.commit()
        db.session.expire_all()
        with count_queries() as counter:
            response = client.get(f"/trainings/{training.id}/attendance")
        assert response.status_code == 200
        assert response.get_data(as_text=True).count('<th scope="row">') >= size
        counts.append(counter.count)
    assert counts[0] == counts[1], counts
    print('matrix page queries', counts)


def test_matrix_data_is_two_queries(make, count_queries):
    from trainings.attendance import services
    training = make.training(sessions=4)
    for _ in range(30):
        make.enrolment(training, commit=False)
    db.session.commit()
    with count_queries() as counter:
        services.matrix(training)
    assert counter.count <= 3


def test_cli_import_dry_run_then_apply(setup, runner):
    s, tan = setup["session"], setup["people"][2]
    path = str(DATA / "zoom_participants.csv")
    dry = runner.invoke(args=["attendance", "import", str(s.id), path, "--min-minutes", "15",
                              "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Tan Mei Ling: - -> present" in dry.output and "nothing written" in dry.output
    assert status_of(s, tan) is None
    done = runner.invoke(args=["attendance", "import", str(s.id), path, "--min-minutes", "15"])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    assert status_of(s, tan) == "present"
    wrong = runner.invoke(args=["attendance", "import", str(s.id), str(DATA / "not_a_report.csv")])
    assert wrong.exit_code != 0 and "not a participant report" in wrong.output


def test_roll_call_refuses_unknown_status_and_reports_overlaps(setup, login, client):
    s, (a, b, _c) = setup["session"], setup["people"]
    login(setup["facilitator"])
    bad = client.post(f"/sessions/{s.id}/attendance", data={
        f"status-{a.id}": "asleep", f"orig-status-{a.id}": "", f"note-{a.id}": "",
        f"orig-note-{a.id}": ""})
    assert bad.status_code == 422
    assert "Unknown status" in bad.get_data(as_text=True) or "not valid" in bad.get_data(as_text=True)
    assert status_of(s, a) is None
    # the organiser marks b while the facilitator's page still shows b unmarked
    from trainings.attendance import services
    services.set_records(s, [{"enrolment": b.id, "status": "excused"}], actor=setup["organiser"])
    db.session.commit()
    response = client.post(f"/sessions/{s.id}/attendance", data={
        f"status-{b.id}": "absent", f"orig-status-{b.id}": "", f"note-{b.id}": "",
        f"orig-note-{b.id}": ""}, follow_redirects=True)
    assert "Someone else had changed the status of" in response.get_data(as_text=True)
    assert status_of(s, b) == "absent"


def test_roll_call_saves_one_person_as_json_for_the_script(setup, login, client):
    s, (a, b, _c) = setup["session"], setup["people"]
    login(setup["facilitator"])
    headers = {"X-Requested-With": "fetch"}
    response = client.post(f"/sessions/{s.id}/attendance", headers=headers, data={
        f"status-{a.id}": "late", f"orig-status-{a.id}": "", f"note-{a.id}": "Datang 20 menit",
        f"orig-note-{a.id}": ""})
    assert response.status_code == 200
    body = response.get_json()
    assert body["changed"] == 1
    assert body["records"][0]["status"] == "late" and body["records"][0]["note"] == "Datang 20 menit"
    assert setup["facilitator"].name in body["records"][0]["last_change"]
    # a note for somebody without a status is refused with a message, nothing written
    refused = client.post(f"/sessions/{s.id}/attendance", headers=headers, data={
        f"orig-status-{b.id}": "", f"note-{b.id}": "?", f"orig-note-{b.id}": ""})
    assert refused.status_code == 422
    assert "Choose a status" in refused.get_json()["error"]["message"]
    assert status_of(s, b) is None


def test_api_import_refuses_an_oversized_body(setup, api):
    response = api(setup["organiser"]).post(
        f"/api/v1/sessions/{setup['session'].id}/attendance/import",
        data=b"x" * (6 * 1024 * 1024), headers={"Content-Type": "text/csv"})
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_a_facilitator_of_the_training_sees_the_matrix_but_no_exports(make, login, client):
    organiser, facilitator = make.user("organiser"), make.user("facilitator")
    training = make.training(organiser=organiser, facilitators=[facilitator], sessions=2)
    make.enrolment(training, name="Tan Mei Ling", email="tan@example.org")
    login(facilitator)
    page = client.get(f"/trainings/{training.id}/attendance")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Tan Mei Ling" in html
    assert "attendance.csv" not in html and "tan@example.org" not in html
    assert client.get(f"/trainings/{training.id}/attendance.csv").status_code == 403
    assert client.post(f"/trainings/{training.id}/attendance/settings").status_code == 403


def test_the_applied_message_counts_rows_in_singular_and_plural(app):
    """Issue 18: "1 rows not matched" — the count agrees with its noun, in both languages."""
    from flask_babel import force_locale

    from trainings.attendance.views import _applied_message

    one = {"present": 3, "absent": 1, "unmatched": [{"name": "Budi"}], "kept": 1}
    two = {"present": 3, "absent": 1, "unmatched": [{"name": "Budi"}, {"name": "Ana"}]}
    with app.test_request_context():
        with force_locale("en"):
            assert "1 row not matched." in _applied_message(one)
            assert "1 status set by hand was kept." in _applied_message(one)
            assert "2 rows not matched." in _applied_message(two)
            assert "kept" not in _applied_message(two)
        with force_locale("id"):
            assert "1 baris tidak cocok." in _applied_message(one)
