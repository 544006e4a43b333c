"""Certificate eligibility rules: minimum sessions, minimum percent, mandatory, excused."""
import pytest

from trainings.attendance import services
from trainings.attendance.eligibility import evaluate, progress_of, validate_rule
from trainings.errors import ValidationError
from trainings.extensions import db


@pytest.fixture
def course(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=7)
    person = make.enrolment(training)

    def attend(statuses):
        records = list(zip(training.sessions, statuses))
        for session, status in records:
            if status:
                services.set_records(session, [{"enrolment": person.id, "status": status}],
                                     actor=organiser)
        db.session.commit()
    return training, person, attend


def progress(training, person):
    return evaluate(training, [person.id])[person.id]


def test_default_rule_requires_every_held_session(course):
    training, person, attend = course
    attend(["present", "late", "present", "present", "present", "present", None])
    p = progress(training, person)
    assert (p.attended, p.held, p.required, p.remaining, p.eligible) == (6, 7, 7, 1, False)
    training.sessions[6].status = "cancelled"  # a cancelled session is not required
    db.session.commit()
    assert progress(training, person).eligible


def test_min_sessions_and_min_percent(course):
    training, person, attend = course
    attend(["present", "absent", "late", "present", None, "excused", "absent"])
    training.certificate_rule = {"min_sessions": 3}
    assert progress(training, person).eligible
    training.certificate_rule = {"min_percent": 60}  # ceil(7 * 0.6) = 5
    p = progress(training, person)
    assert (p.required, p.attended, p.remaining, p.eligible) == (5, 3, 2, False)
    training.certificate_rule = {"min_percent": 60, "excused_counts": True}
    assert progress(training, person).attended == 4


def test_mandatory_sessions(course):
    training, person, attend = course
    attend(["present", "present", "present", "present", "present", "present", "absent"])
    last = training.sessions[6].id
    training.certificate_rule = {"min_sessions": 5, "mandatory_sessions": [last]}
    p = progress(training, person)
    assert p.missing_mandatory == (last,) and not p.eligible and p.remaining == 0


def test_progress_of_is_pure():
    p = progress_of({"min_sessions": 2, "excused_counts": False}, {1, 2, 3}, {1, 9})
    assert (p.attended, p.held, p.required, p.eligible) == (1, 3, 2, False)


def test_settings_service_validates(course):
    training, _person, _attend = course
    sid = training.sessions[0].id
    services.update_settings(training, actor=None, min_sessions=5, mandatory_sessions=[sid],
                             excused_counts=True, threshold_percent=70, late_after_minutes=5)
    assert training.certificate_rule == {"min_sessions": 5, "mandatory_sessions": [sid],
                                         "excused_counts": True}
    with pytest.raises(ValidationError):
        services.update_settings(training, actor=None, mandatory_sessions=[999999])
    with pytest.raises(ValidationError):
        services.update_settings(training, actor=None, min_sessions=8)
    with pytest.raises(ValidationError):
        validate_rule({"min_percent": 120})


def test_matrix_applies_the_rule(course):
    training, person, attend = course
    attend(["present", "excused", "present", "late", None, None, None])
    training.certificate_rule = {"min_sessions": 4, "excused_counts": True}
    row = services.matrix(training).rows[0]
    assert row.statuses[:4] == ["present", "excused", "present", "late"]
    assert row.attended == 3  # present and late
    assert row.eligible  # excused counts towards the rule
    assert row.eligible == progress(training, person).eligible


def test_own_attendance_for_my_schedule(course):
    training, person, attend = course
    attend(["present", "late", None, "absent", "present", None, None])
    training.certificate_rule = {"min_sessions": 4}
    own = services.own_attendance(person)
    assert [status for _n, _s, status in own.sessions][:5] == ["present", "late", None, "absent",
                                                                "present"]
    assert (own.progress.attended, own.progress.remaining) == (3, 1)
    assert own.progress == evaluate(training, [person.id])[person.id]


def test_rates_count_only_sessions_that_have_taken_place(make):
    from datetime import timedelta

    from trainings.db import utcnow
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=3,
                             first_start=utcnow() - timedelta(days=3), interval_days=2)
    person = make.enrolment(training)
    for session in training.sessions[:2]:
        services.set_records(session, [{"enrolment": person.id, "status": "present"}],
                             actor=organiser)
    db.session.commit()
    m = services.matrix(training)
    assert (m.held, m.past) == (3, 2)
    assert m.rows[0].rate == 1.0 and m.rate == 1.0  # 2 of the 2 sessions so far
    assert m.sessions[2].rate is None  # still to come
    assert not m.rows[0].eligible and m.rows[0].progress.remaining == 1  # the rule: all 3
