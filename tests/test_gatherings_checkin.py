"""Check-in: personal codes, checking in by code or name, source checkin, repeats, refusals."""
import pytest
from sqlalchemy import func, select

from trainings.attendance import checkin
from trainings.attendance.models import AttendanceChange, AttendanceRecord
from trainings.errors import ValidationError
from trainings.extensions import db


def _changes() -> int:
    return db.session.scalar(select(func.count(AttendanceChange.id)))


def _setup(make):
    organiser, facilitator = make.user("organiser"), make.user("facilitator")
    training = make.training(organiser=organiser, sessions=2)
    session = training.sessions[0]
    session.facilitators.append(facilitator)
    person = make.user()
    enrolment = make.enrolment(training, user=person, name="Siti Aminah")
    db.session.commit()
    return organiser, facilitator, training, session, person, enrolment


def test_every_enrolment_has_a_unique_unguessable_code(make):
    training = make.training()
    codes = {make.enrolment(training).checkin_code for _ in range(20)}
    assert len(codes) == 20 and all(len(c) >= 20 for c in codes)


def test_own_code_and_check_in_writes_one_checkin_record(make, api):
    organiser, facilitator, training, session, person, enrolment = _setup(make)
    code = api(person).get(f"/api/v1/me/checkin?training={training.id}").get_json()["code"]
    assert code == enrolment.checkin_code
    response = api(facilitator).post(f"/api/v1/sessions/{session.id}/checkin", json={"code": code})
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"enrolment": enrolment.id, "name": "Siti Aminah",
                                   "status": "present", "already": False}
    change = db.session.scalar(select(AttendanceChange))
    assert change.source == "checkin" and change.new_status == "present"
    # a repeat: 200, nothing written, and it says so
    again = api(organiser).post(f"/api/v1/sessions/{session.id}/checkin", json={"code": code})
    assert again.status_code == 200 and again.get_json()["already"] is True
    assert _changes() == 1


def test_codes_of_another_training_or_not_accepted_are_404(make, api):
    organiser, facilitator, training, session, person, enrolment = _setup(make)
    other = make.training()
    foreign = make.enrolment(other)
    waiting = make.enrolment(training, status="waitlisted")
    url = f"/api/v1/sessions/{session.id}/checkin"
    for code in (foreign.checkin_code, waiting.checkin_code, "nonsense"):
        response = api(organiser).post(url, json={"code": code})
        assert response.status_code == 404, code
        assert response.get_json()["error"]["code"] == "unknown_code"
    assert api(organiser).post(url, json={}).status_code == 422
    assert _changes() == 0 and db.session.scalar(select(func.count(AttendanceRecord.id))) == 0


def test_only_facilitators_of_the_session_and_organisers_check_in(make, api):
    organiser, facilitator, training, session, person, enrolment = _setup(make)
    stranger = make.user("facilitator")
    url = f"/api/v1/sessions/{session.id}/checkin"
    assert api(stranger).post(url, json={"code": enrolment.checkin_code}).status_code == 403
    assert api(person).post(url, json={"code": enrolment.checkin_code}).status_code == 403
    assert _changes() == 0


def test_me_checkin_needs_an_accepted_place(make, api):
    training = make.training()
    person = make.user()
    make.enrolment(training, user=person, status="applied")
    response = api(person).get(f"/api/v1/me/checkin?training={training.id}")
    assert response.status_code == 404
    assert api(person).get("/api/v1/me/checkin?training=x").status_code == 422


def test_search_by_name_and_check_in_by_enrolment(make):
    organiser, facilitator, training, session, person, enrolment = _setup(make)
    make.enrolment(training, name="Budi Santoso")
    found = checkin.search(session, "AMINAH")
    assert [r["enrolment"] for r in found] == [enrolment.id] and not found[0]["checked_in"]
    result = checkin.check_in_enrolment(session, enrolment.id, actor=facilitator)
    db.session.commit()
    assert result.status == "present" and not result.already
    assert checkin.search(session, "siti")[0]["checked_in"]


def test_check_in_keeps_a_late_mark_and_sheet_records_present(make):
    organiser, facilitator, training, session, person, enrolment = _setup(make)
    from trainings.attendance.services import set_records
    set_records(session, [{"enrolment": enrolment.id, "status": "late"}], actor=organiser)
    other = make.enrolment(training)
    assert checkin.check_in_code(session, enrolment.checkin_code, actor=organiser).already
    assert checkin.record_sheet(session, [enrolment.id, other.id], actor=organiser) == 1
    db.session.commit()
    sources = set(db.session.scalars(select(AttendanceChange.source)))
    assert sources == {"manual", "sheet"}
    stranger = make.enrolment(make.training())
    with pytest.raises(ValidationError):
        checkin.record_sheet(session, [stranger.id], actor=organiser)
