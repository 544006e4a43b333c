"""Rows of an applied meeting report that matched no participant: recorded on apply,
matched by hand (marked present once, audited) or dismissed; both clear the dashboard."""
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from trainings.attendance import services
from trainings.attendance.models import AttendanceChange, AttendanceImport, AttendanceRecord
from trainings.audit.models import AuditEntry
from trainings.errors import DomainError
from trainings.extensions import db
from trainings.overview.attention import attention_for

DATA = Path(__file__).parent / "data" / "attendance"
ZOOM = (DATA / "zoom_participants.csv").read_bytes()
UNMATCHED = ["Ratna Widyaningsih", "عائشہ صدیقی", "Budi (Android)"]  # most minutes first


@pytest.fixture
def applied(make):
    organiser = make.user("organiser")
    facilitator = make.user("facilitator")
    training = make.training(organiser=organiser, sessions=2)  # past sessions
    session = training.sessions[0]
    session.facilitators.append(facilitator)
    people = {name: make.enrolment(training, name=name, email=email) for name, email in [
        ("Siti Nurhalizah", "siti.nurhalizah@example.org"), ("Dewi Lestari", "dewi.lestari@example.org"),
        ("Tan Mei Ling", "tan.meiling@example.org"), ("Rina Wulandari", "rina.w@example.org"),
        ("زینب بی بی", "zainab.bibi@example.org"), ("Budi Santoso", "budi@example.org")]}
    db.session.commit()
    staged = services.stage_import(session, ZOOM, actor=organiser, filename="zoom.csv")
    services.apply_staged(session, staged, actor=organiser)
    db.session.commit()
    return dict(organiser=organiser, facilitator=facilitator, training=training, session=session,
                people=people, staged=staged)


def status_of(session, enrolment):
    return db.session.scalar(select(AttendanceRecord.status).where(
        AttendanceRecord.session_id == session.id, AttendanceRecord.enrolment_id == enrolment.id))


def test_applying_records_the_rows_that_matched_no_one(applied):
    staged = db.session.get(AttendanceImport, applied["staged"].id)
    assert [row["name"] for _i, row in services.open_rows(staged)][:1] == ["Ratna Widyaningsih"]
    names = {row["name"] for _i, row in services.open_rows(staged)}
    assert {"Ratna Widyaningsih", "Budi (Android)"} <= names  # Çağla, Nur Aisyah too: not enrolled
    assert "Siti N (Siti Nurhalizah)" not in names
    assert staged.unmatched_open == len(staged.unmatched) == len(names)
    budi = next(row for _i, row in services.open_rows(staged) if row["name"] == "Budi (Android)")
    assert budi["minutes"] == 30 and budi["email"] == ""


def test_matching_a_row_marks_the_participant_present_once_audited(applied):
    session, staged, budi = applied["session"], applied["staged"], applied["people"]["Budi Santoso"]
    assert status_of(session, budi) == "absent"  # not in the report under his name
    index = next(i for i, row in services.open_rows(staged) if row["name"] == "Budi (Android)")
    before = db.session.scalar(select(func.count()).select_from(AttendanceChange))
    assert services.match_row(session, staged, index, budi.id, actor=applied["facilitator"]) == 1
    db.session.commit()
    assert status_of(session, budi) == "present"
    change = db.session.scalars(select(AttendanceChange).order_by(AttendanceChange.id.desc())).first()
    assert (change.enrolment_id, change.old_status, change.new_status, change.new_minutes) == (
        budi.id, "absent", "present", 30)
    assert change.changed_by_id == applied["facilitator"].id and change.source.startswith("match:")
    assert db.session.scalar(select(func.count()).select_from(AttendanceChange)) == before + 1
    assert index not in [i for i, _row in services.open_rows(staged)]
    with pytest.raises(DomainError):  # resolved: a second post changes nothing
        services.match_row(session, staged, index, budi.id, actor=applied["organiser"])
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(AttendanceChange)) == before + 1


def test_matching_refuses_someone_not_accepted_and_writes_nothing(applied, make):
    session, staged = applied["session"], applied["staged"]
    waiting = make.enrolment(applied["training"], name="Waiting", status="waitlisted")
    index, _row = services.open_rows(staged)[0]
    for bad in (waiting.id, "x", None):
        with pytest.raises(DomainError):
            services.match_row(session, staged, index, bad, actor=applied["organiser"])
        db.session.rollback()
    assert services.open_rows(db.session.get(AttendanceImport, staged.id))[0][0] == index


def test_dismissing_a_row_clears_it_with_an_audit_entry(applied):
    session, staged = applied["session"], applied["staged"]
    open_before = staged.unmatched_open
    index, row = services.open_rows(staged)[0]
    services.dismiss_row(session, staged, index, actor=applied["organiser"])
    db.session.commit()
    assert staged.unmatched_open == open_before - 1
    assert staged.unmatched[index]["resolution"] == "dismissed"
    entry = db.session.scalars(select(AuditEntry).where(
        AuditEntry.action == "attendance.row_dismissed")).one()
    assert entry.details["name"] == row["name"] and entry.training_id == applied["training"].id


def test_the_dashboard_shows_unmatched_rows_until_each_is_resolved(applied, login, client):
    session, staged = applied["session"], applied["staged"]
    (entry,) = attention_for(applied["organiser"])
    assert [(n, s.id, i, rows) for n, s, i, rows in entry.unmatched] == [
        (1, session.id, staged.id, staged.unmatched_open)]
    login(applied["organiser"])
    page = client.get("/dashboard").get_data(as_text=True)
    assert "report rows matched no participant" in page
    assert f'/sessions/{session.id}/attendance/imports/{staged.id}"' in page
    budi = applied["people"]["Budi Santoso"]
    for index, row in services.open_rows(staged):
        if row["name"] == "Budi (Android)":
            services.match_row(session, staged, index, budi.id, actor=applied["organiser"])
        else:
            services.dismiss_row(session, staged, index, actor=applied["organiser"])
    db.session.commit()
    (entry,) = attention_for(applied["organiser"])
    assert entry.unmatched == []
    assert "report rows matched no participant" not in client.get("/dashboard").get_data(as_text=True)
    assert "report row matched no participant" not in client.get("/dashboard").get_data(as_text=True)


def test_pages_for_the_sessions_staff_only(applied, make, login, client):
    session, staged, budi = applied["session"], applied["staged"], applied["people"]["Budi Santoso"]
    url = f"/sessions/{session.id}/attendance/imports/{staged.id}"
    index = next(i for i, row in services.open_rows(staged) if row["name"] == "Budi (Android)")
    other = make.user("organiser")
    make.training(organiser=other, sessions=1)
    participant = make.user("participant")
    make.enrolment(applied["training"], user=participant)
    for outsider in (other, participant):
        login(outsider)
        assert client.get(url).status_code == 403
        assert client.post(f"{url}/rows/{index}/match", data={"enrolment": budi.id}).status_code == 403
        assert client.post(f"{url}/rows/{index}/dismiss").status_code == 403
        client.post("/logout")
    db.session.expire_all()
    assert status_of(session, budi) == "absent"
    login(applied["facilitator"])
    page = client.get(url)
    assert page.status_code == 200 and "Budi (Android)" in page.get_data(as_text=True)
    assert 'for="enrolment-' in page.get_data(as_text=True)  # a labelled select per row
    response = client.post(f"{url}/rows/{index}/match", data={"enrolment": budi.id})
    assert response.status_code == 302
    db.session.expire_all()
    assert status_of(session, budi) == "present"
    assert "Budi (Android)" not in client.get(url).get_data(as_text=True)
    second = applied["training"].sessions[1]
    assert client.get(f"/sessions/{second.id}/attendance/imports/{staged.id}").status_code in (403, 404)


def test_page_in_indonesian_and_a_bad_choice_is_a_message(applied, login, client):
    session, staged = applied["session"], applied["staged"]
    url = f"/sessions/{session.id}/attendance/imports/{staged.id}"
    login(applied["organiser"])
    index, _row = services.open_rows(staged)[0]
    response = client.post(f"{url}/rows/{index}/match", data={"enrolment": ""},
                           follow_redirects=True)
    assert response.status_code == 200
    assert "Choose the participant this row belongs to." in response.get_data(as_text=True)
    client.post("/language", data={"lang": "id", "next": url})
    page = client.get(url).get_data(as_text=True)
    assert "Baris yang tidak cocok dengan peserta mana pun" in page


def test_csrf_is_required(applied, app_factory):
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    with client.session_transaction() as browser_session:
        browser_session["_user_id"] = applied["organiser"].get_id()
        browser_session["_fresh"] = True
        browser_session["login_at"] = browser_session["seen_at"] = time.time()
    session, staged = applied["session"], applied["staged"]
    url = f"/sessions/{session.id}/attendance/imports/{staged.id}"
    assert client.get(url).status_code == 200
    assert client.post(f"{url}/rows/0/dismiss").status_code == 400
    db.session.expire_all()
    assert db.session.get(AttendanceImport, staged.id).unmatched[0]["resolution"] is None
