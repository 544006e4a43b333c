"""The certificate gate: a survey required for the certificate holds it back until answered,
and My schedule says which survey is still needed."""
from trainings.attendance.models import AttendanceRecord
from trainings.certificates import services as certificates
from trainings.evaluation import services
from trainings.extensions import db

from .evaluation_helpers import feedback_data, survey


def _setup(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1, certificate_rule={"min_sessions": 1})
    user = make.user(name="Siti Rahmawati")
    enrolment = make.enrolment(training, user=user)
    db.session.add(AttendanceRecord(session_id=training.sessions[0].id, enrolment_id=enrolment.id,
                                    status="present"))
    db.session.commit()
    return organiser, training, user, enrolment


def test_required_survey_holds_the_certificate_back(make):
    organiser, training, _user, enrolment = _setup(make)
    assert [e.id for e, _p in certificates.missing_eligible(training)] == [enrolment.id]
    required = survey(training, organiser, feedback_data(required_for_certificate=True))
    assert certificates.missing_eligible(training) == []
    row = certificates.overview(training)[0]
    assert not row["progress"].eligible and row["progress"].attended == 1
    assert [s.id for s in row["progress"].surveys_pending] == [required.id]
    services.submit_response(required, enrolment, {"q1": 4}, actor=None)
    assert [e.id for e, _p in certificates.missing_eligible(training)] == [enrolment.id]


def test_my_schedule_names_the_missing_survey(make, login, client):
    organiser, training, user, _enrolment = _setup(make)
    required = survey(training, organiser, feedback_data(required_for_certificate=True))
    login(user)
    page = client.get("/me/schedule").get_data(as_text=True)
    assert "The certificate also needs your answers to:" in page
    assert f"/surveys/{required.id}" in page and "you meet the requirement" not in page
