"""One-step meeting-report imports (the API, the command line) are applied imports too:
their unmatched rows reach the organiser's dashboard, they can be undone (on the web and
through the API, once), and applied imports are kept for the undo window only."""
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from trainings.attendance import services
from trainings.attendance.models import AttendanceChange, AttendanceImport, AttendanceRecord
from trainings.db import utcnow
from trainings.errors import ValidationError
from trainings.extensions import db
from trainings.overview import privacy
from trainings.overview.attention import attention_for

from .test_attendance_undo import five_participants

ZOOM = (Path(__file__).parent / "data" / "attendance" / "zoom_participants.csv").read_bytes()
ZOOM_PATH = str(Path(__file__).parent / "data" / "attendance" / "zoom_participants.csv")


@pytest.fixture
def cohort(make):
    return five_participants(make)


def records(session):
    return dict(db.session.execute(select(AttendanceRecord.enrolment_id, AttendanceRecord.status)
                                   .where(AttendanceRecord.session_id == session.id)).all())


def imported(cohort, **options):
    result = services.import_report(cohort["session"], ZOOM, actor=cohort["organiser"],
                                    filename="uploads/zoom.csv", **options)
    db.session.commit()
    return result, db.session.get(AttendanceImport, result["import"])


# ---------------------------------------------------------------- services, no HTTP

def test_one_step_import_is_an_applied_import_with_its_unmatched_rows(cohort):
    session = cohort["session"]
    result, applied = imported(cohort)
    assert applied.session_id == session.id and applied.applied_at is not None
    assert applied.created_by_id == cohort["organiser"].id and applied.filename == "uploads/zoom.csv"
    assert applied.rows == []  # no preview to come back to: the report's rows are not kept
    names = [row["name"] for row in applied.unmatched]
    assert names == [p["name"] for p in result["unmatched"]] and "Budi (Android)" in names
    assert applied.unmatched_open == len(names) > 0
    sources = set(db.session.scalars(select(AttendanceChange.source)))
    assert sources == {f"import:zoom:zoom.csv#{applied.id}"}
    assert services.applied_with_open_rows(session) == [applied]
    entry = next(e for e in attention_for(cohort["organiser"]) if e.training.id == cohort["training"].id)
    assert [(number, import_id, rows) for number, _s, import_id, rows in entry.unmatched] == [
        (1, applied.id, len(names))]


def test_one_step_import_can_be_undone_once_keeping_later_changes(cohort):
    session, people = cohort["session"], cohort["people"]
    services.set_records(session, [services.Change(enrolment=people["Dewi Lestari"].id,
                                                   status="excused")], actor=cohort["facilitator"])
    db.session.commit()
    _result, applied = imported(cohort, overwrite=True)
    assert records(session)[people["Siti Nurhalizah"].id] == "present"
    services.set_records(session, [services.Change(enrolment=people["Tan Mei Ling"].id,
                                                   status="late")], actor=cohort["facilitator"])
    db.session.commit()
    done = services.undo_import(session, applied, actor=cohort["organiser"])
    db.session.commit()
    after = records(session)
    assert people["Siti Nurhalizah"].id not in after  # created by the import: removed
    assert after[people["Dewi Lestari"].id] == "excused"  # what it was before
    assert after[people["Tan Mei Ling"].id] == "late"  # changed since: kept and named
    assert done["kept"] == [{"name": "Tan Mei Ling", "by": "Fasilitator Ayu"}]
    with pytest.raises(ValidationError) as refused:
        services.undo_import(session, applied, actor=cohort["organiser"])
    assert refused.value.code == "import_undone"


def test_cli_import_records_an_applied_import(cohort, runner):
    session = cohort["session"]
    dry = runner.invoke(args=["attendance", "import", str(session.id), ZOOM_PATH, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert db.session.scalar(select(AttendanceImport.id)) is None  # a dry run records nothing
    done = runner.invoke(args=["attendance", "import", str(session.id), ZOOM_PATH])
    assert done.exit_code == 0, done.output
    db.session.expire_all()
    applied = db.session.scalar(select(AttendanceImport))
    assert f"(import {applied.id})" in done.output
    assert applied.applied_at is not None and applied.created_by_id is None
    assert applied.unmatched_open > 0 and applied.filename == "zoom_participants.csv"
    assert set(db.session.scalars(select(AttendanceChange.source))) == {
        f"import:zoom:zoom_participants.csv#{applied.id}"}


# ---------------------------------------------------------------- retention, controlled time

def _age(applied, days):
    applied.created_at = utcnow() - timedelta(days=days)
    db.session.commit()


def test_applied_imports_are_kept_for_the_undo_window_then_deleted(cohort, app):
    session = cohort["session"]
    _r, applied = imported(cohort)
    for row in range(len(applied.unmatched)):
        services.dismiss_row(session, applied, row, actor=cohort["organiser"])
    db.session.commit()
    staged = services.stage_import(session, ZOOM, actor=cohort["organiser"], filename="z.csv")
    db.session.commit()
    applied_id, staged_id = applied.id, staged.id
    _age(applied, 3)
    _age(staged, 3)
    assert services.purge_imports() == 1  # the upload never applied: gone after two days
    db.session.commit()
    assert db.session.get(AttendanceImport, staged_id) is None
    assert db.session.get(AttendanceImport, applied_id) is not None  # still undoable
    assert services.purge_imports(utcnow() + timedelta(days=10)) == 0  # 13 days old
    assert services.purge_imports(utcnow() + timedelta(days=11, minutes=1)) == 1  # past 14
    db.session.commit()
    assert db.session.get(AttendanceImport, applied_id) is None


def test_the_undo_window_is_a_setting_and_open_rows_keep_an_import(cohort, app):
    app.config["ATTENDANCE_IMPORT_UNDO_DAYS"] = 3
    _r, applied = imported(cohort)  # rows still open
    _age(applied, 30)
    assert services.purge_imports() == 0  # its unmatched rows still wait on the dashboard
    applied.unmatched_open = 0
    db.session.commit()
    _age(applied, 2)
    assert services.purge_imports() == 0
    _age(applied, 4)
    assert services.purge_imports() == 1


def test_erasure_blanks_the_unmatched_rows_of_a_one_step_import(cohort, make):
    # two participants of the same name: the report's row matches neither, so stays unmatched
    erased = make.user("participant", name="Budi (Android)")
    make.enrolment(cohort["training"], user=erased)
    make.enrolment(cohort["training"], name="Budi (Android)", email="b2@example.org")
    _r, applied = imported(cohort)
    before = applied.unmatched_open
    position = next(i for i, row in enumerate(applied.unmatched) if row["name"] == "Budi (Android)")
    privacy.erase_person(erased, actor=cohort["organiser"], reason="asked")
    db.session.commit()
    db.session.expire_all()
    applied = db.session.get(AttendanceImport, applied.id)
    row = applied.unmatched[position]
    assert (row["name"], row["email"], row["resolution"]) == ("", "", "erased")
    assert applied.unmatched_open == before - 1 and len(applied.unmatched) == before


# ---------------------------------------------------------------- API and web wiring

def api_import(cohort, api, user=None):
    return api(user or cohort["organiser"]).post(
        f"/api/v1/sessions/{cohort['session'].id}/attendance/import?filename=zoom.csv",
        data=ZOOM, headers={"Content-Type": "text/csv"})


def test_an_api_import_is_undone_on_the_web(cohort, api, login, client):
    session = cohort["session"]
    answer = api_import(cohort, api).get_json()
    assert records(session)
    login(cohort["facilitator"])
    page = client.get(f"/sessions/{session.id}/attendance/import").get_data(as_text=True)
    url = f"/sessions/{session.id}/attendance/imports/{answer['import']}/undo"
    assert url in page
    unmatched = client.get(f"/sessions/{session.id}/attendance/imports/{answer['import']}")
    assert unmatched.status_code == 200 and "Budi (Android)" in unmatched.get_data(as_text=True)
    done = client.post(url, follow_redirects=True).get_data(as_text=True)
    assert "Import undone: 0 statuses restored" in done
    db.session.expire_all()
    assert records(session) == {}


def test_api_undo_once_with_the_policy_of_marking(cohort, api, make):
    session = cohort["session"]
    import_id = api_import(cohort, api).get_json()["import"]
    url = f"/api/v1/attendance-imports/{import_id}/undo"
    stranger = make.user("facilitator")
    cohort["other"].facilitators.append(stranger)  # facilitates another session only
    db.session.commit()
    for user in (stranger, make.user("participant")):
        assert api(user).post(url).status_code == 403
    assert records(session)
    assert api(cohort["organiser"]).post("/api/v1/attendance-imports/999999/undo").status_code == 404
    done = api(cohort["facilitator"]).post(url)
    assert done.status_code == 200
    assert done.get_json() == {"restored": 0, "removed": len(cohort["people"]), "kept": []}
    db.session.expire_all()
    assert records(session) == {}
    again = api(cohort["facilitator"]).post(url)
    assert again.status_code == 422 and again.get_json()["error"]["code"] == "import_undone"


def test_api_undo_of_an_upload_never_applied_is_404(cohort, api):
    staged = services.stage_import(cohort["session"], ZOOM, actor=cohort["organiser"], filename="z.csv")
    db.session.commit()
    assert api(cohort["organiser"]).post(f"/api/v1/attendance-imports/{staged.id}/undo").status_code == 404


def test_openapi_documents_the_import_id_and_the_undo(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "post" in spec["paths"]["/api/v1/attendance-imports/{import_id}/undo"]
    result = spec["components"]["schemas"]["ReportResult"]["properties"]
    assert {"type": "integer"} in result["import"]["anyOf"]
    assert set(spec["components"]["schemas"]["Undone"]["properties"]) == {"restored", "removed", "kept"}


def test_the_same_report_again_adds_no_second_import(cohort):
    first, applied = imported(cohort)
    again, same = imported(cohort)
    assert again == first and same.id == applied.id
    assert db.session.scalar(select(func.count()).select_from(AttendanceImport)) == 1
    services.set_records(cohort["session"], [services.Change(
        enrolment=cohort["people"]["Siti Nurhalizah"].id, status="absent")], actor=cohort["organiser"])
    db.session.commit()  # set by hand, and the report would raise it: a new import changes it
    third, newer = imported(cohort)
    assert newer.id != applied.id and third["import"] == newer.id


def test_expired_imports_are_purged_by_the_worker_without_an_upload(cohort):
    from trainings import periodic
    _r, applied = imported(cohort)
    applied.unmatched_open = 0
    staged = services.stage_import(cohort["session"], ZOOM, actor=cohort["organiser"],
                                   filename="z.csv")
    db.session.commit()
    applied_id, staged_id = applied.id, staged.id
    task = periodic.TASKS["attendance.import_retention"]
    assert periodic.run_task(task, utcnow() + timedelta(days=1)) == 0  # nothing expired yet
    assert periodic.run_task(task, utcnow() + timedelta(days=3)) == 1  # the unapplied upload
    assert db.session.get(AttendanceImport, staged_id) is None
    assert periodic.run_task(task, utcnow() + timedelta(days=15)) == 1  # past the undo window
    db.session.expire_all()
    assert db.session.get(AttendanceImport, applied_id) is None
