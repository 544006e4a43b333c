"""Scheduling asks and announces through its signals; the enrolment area answers."""
from datetime import UTC, datetime, timedelta

from trainings.scheduling import services
from trainings.scheduling.signals import session_changed


def test_a_listener_hears_each_change_of_an_upcoming_session(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    session = make.session(training, starts_at=datetime.now(UTC) + timedelta(days=3))
    make.enrolment(training)
    heard = []

    def listener(sender, *, change, **_extra):
        heard.append((sender.id, change))
        return 0

    session_changed.connect(listener)
    try:
        services.update_session(session, {"duration_minutes": 90}, actor=organiser)
        services.cancel_session(session, actor=organiser)
        services.reinstate_session(session, actor=organiser)
        # one accepted participant: the enrolment receiver's mail is counted, the listener's 0 added
        assert services.notify_participants(session, "rescheduled") == 1
    finally:
        session_changed.disconnect(listener)
    assert heard == [(session.id, "rescheduled"), (session.id, "cancelled"),
                     (session.id, "reinstated"), (session.id, "rescheduled")]


def test_visible_trainings_and_zones_come_from_enrolments(make):
    participant = make.user("participant")
    training, other = make.training(), make.training()
    make.enrolment(training, user=participant, status="waitlisted", timezone="Asia/Karachi")
    make.enrolment(training, timezone="Asia/Karachi")
    make.enrolment(training, timezone="Asia/Jakarta")
    make.enrolment(training, timezone="Asia/Karachi")
    make.enrolment(other, user=make.user("participant"), timezone="Pacific/Auckland")
    assert [t.id for t in services.visible_trainings(participant)] == [training.id]
    # accepted participants only, most common first
    assert services.participant_zones(training) == ["Asia/Karachi", "Asia/Jakarta"]
