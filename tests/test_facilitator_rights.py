"""Facilitator rights are per session and end with the assignment."""
import pytest

from trainings import policy
from trainings.extensions import db
from trainings.scheduling.models import TrainingStaff
from trainings.scheduling.services import remove_staff


@pytest.fixture
def cast(make):
    organiser = make.user("organiser")
    facilitator = make.user("facilitator")
    training = make.training(organiser=organiser, facilitators=[facilitator], sessions=2)
    first, second = training.sessions
    first.facilitators.append(facilitator)
    db.session.commit()
    person = make.enrolment(training)
    return dict(organiser=organiser, facilitator=facilitator, training=training, first=first,
                second=second, person=person)


def _mark(api, who, session, person):
    return api(who).put(f"/api/v1/sessions/{session.id}/attendance",
                        json={"records": [{"enrolment": person.id, "status": "present"}]})


def test_a_facilitator_marks_only_their_own_session(cast, api):
    assert _mark(api, cast["facilitator"], cast["first"], cast["person"]).status_code == 200
    # a facilitator of the training, but not of this session
    assert _mark(api, cast["facilitator"], cast["second"], cast["person"]).status_code == 403
    assert not policy.can(cast["facilitator"], "attendance.view_session", cast["second"])
    assert _mark(api, cast["organiser"], cast["second"], cast["person"]).status_code == 200


def test_removal_from_the_session_ends_the_right(cast, api):
    assert policy.can(cast["facilitator"], "attendance.mark", cast["first"])
    cast["first"].facilitators.remove(cast["facilitator"])
    db.session.commit()
    assert _mark(api, cast["facilitator"], cast["first"], cast["person"]).status_code == 403


def test_removal_from_the_training_ends_the_right(cast, api):
    staff = db.session.scalar(db.select(TrainingStaff).where(
        TrainingStaff.user_id == cast["facilitator"].id))
    remove_staff(cast["training"], staff.id, actor=cast["organiser"])
    db.session.commit()
    assert cast["facilitator"] not in cast["first"].facilitators
    assert not policy.can(cast["facilitator"], "attendance.mark", cast["first"])
    assert _mark(api, cast["facilitator"], cast["first"], cast["person"]).status_code == 403
