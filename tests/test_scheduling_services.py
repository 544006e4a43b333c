"""Scheduling services: trainings, series generation, SEQUENCE, conflicts, conversions."""
from datetime import UTC, datetime, timedelta

import pytest

from trainings.errors import Conflict, ValidationError
from trainings.extensions import db
from trainings.overview import schedule
from trainings.scheduling import services
from trainings.scheduling.models import Organisation, TrainingSession
from trainings.timezones import format_time, to_zone


def _training_data(**overrides):
    data = {"title": {"id": "Kepemimpinan Perempuan", "en": "Women's Leadership"},
            "description": {"id": "Tentang", "en": "About"}, "timezone": "Asia/Jakarta",
            "capacity": 30, "country_quotas": {"ID": 10, "Malaysia": 10, "PAK": 10},
            "certificate_rule": {"min_sessions": 6}, "organisations": ["Komnas Perempuan", "INFID"]}
    data.update(overrides)
    return data


def test_create_training_normalises_and_makes_creator_organiser(make):
    organiser = make.user("organiser")
    existing = Organisation(name="INFID")
    db.session.add(existing)
    db.session.commit()

    training = services.create_training(_training_data(), actor=organiser)
    db.session.commit()

    assert training.country_quotas == {"ID": 10, "MY": 10, "PK": 10}
    assert training.certificate_rule == {"min_sessions": 6}
    assert [o.name for o in training.organisations] == ["Komnas Perempuan", "INFID"]
    assert training.organisations[1].id == existing.id  # get-or-create by name
    assert [(s.user_id, s.role) for s in training.staff] == [(organiser.id, "organiser")]


@pytest.mark.parametrize("override, field", [
    ({"timezone": "Mars/Olympus"}, "timezone"),
    ({"capacity": -1}, "capacity"),
    ({"country_quotas": {"Atlantis": 3}}, "country_quotas.Atlantis"),
    ({"country_quotas": {"ID": -2}}, "country_quotas.ID"),
    ({"certificate_rule": {"min_sessions": "six"}}, "certificate_rule.min_sessions"),
    ({"title": {"id": "", "en": ""}}, "title"),
])
def test_create_training_refuses_bad_values_and_writes_nothing(make, override, field):
    organiser = make.user("organiser")
    with pytest.raises(ValidationError) as caught:
        services.create_training(_training_data(**override), actor=organiser)
    assert field in [d["field"] for d in caught.value.details]
    db.session.rollback()
    assert services.visible_trainings(organiser) == []


def test_update_training_replaces_quotas_and_organisations(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, quotas={"ID": 5, "MY": 5})
    services.update_training(training, {"country_quotas": {"MY": 7, "PK": 3},
                                        "organisations": ["INFID", "Kalyanamitra"]}, actor=organiser)
    db.session.commit()
    db.session.refresh(training)
    assert training.country_quotas == {"MY": 7, "PK": 3}
    assert [o.name for o in training.organisations] == ["INFID", "Kalyanamitra"]


def test_series_every_n_days_keeps_wall_clock_time_in_home_zone(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, timezone="Europe/Berlin")
    # Crosses the end of summer time on 2023-10-29: 14:00 local stays 14:00 local.
    sessions, warnings = services.create_series(training, {
        "first_starts_at": "2023-10-25T14:00:00+02:00", "count": 4, "interval_days": 2,
        "duration_minutes": 90}, actor=organiser)
    assert warnings == []
    local = [to_zone(s.starts_at, "Europe/Berlin") for s in sessions]
    assert [d.date().isoformat() for d in local] == ["2023-10-25", "2023-10-27", "2023-10-29", "2023-10-31"]
    assert {d.strftime("%H:%M") for d in local} == {"14:00"}
    assert sessions[0].starts_at == datetime(2023, 10, 25, 12, 0, tzinfo=UTC)
    assert sessions[3].starts_at == datetime(2023, 10, 31, 13, 0, tzinfo=UTC)
    assert [s.title_en for s in sessions] == ["Session 1", "Session 2", "Session 3", "Session 4"]
    assert [s.title_id for s in sessions] == ["Sesi 1", "Sesi 2", "Sesi 3", "Sesi 4"]


def test_series_weekly_on_chosen_weekdays(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    # 2023-12-05 is a Tuesday; Tuesdays and Thursdays, 7 sessions.
    sessions, _ = services.create_series(training, {
        "first_starts_at": "2023-12-05T14:00:00+07:00", "count": 7, "weekdays": ["tue", "thu"],
        "duration_minutes": 120, "title_prefix": {"id": "Pertemuan", "en": "Meeting"}}, actor=organiser)
    days = [to_zone(s.starts_at, "Asia/Jakarta").date().isoformat() for s in sessions]
    assert days == ["2023-12-05", "2023-12-07", "2023-12-12", "2023-12-14", "2023-12-19",
                    "2023-12-21", "2023-12-26"]
    assert sessions[0].title_id == "Pertemuan 1" and sessions[6].title_en == "Meeting 7"


def test_series_weekly_starts_on_first_chosen_weekday(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    sessions, _ = services.create_series(training, {
        "first_starts_at": "2023-12-05T14:00:00+07:00", "count": 2, "weekdays": [4],  # Friday
        "duration_minutes": 60}, actor=organiser)
    assert [to_zone(s.starts_at, "Asia/Jakarta").date().isoformat() for s in sessions] == [
        "2023-12-08", "2023-12-15"]


@pytest.mark.parametrize("override, field", [
    ({"count": 101}, "count"),
    ({"count": 0}, "count"),
    ({"duration_minutes": 0}, "duration_minutes"),
    ({"duration_minutes": -30}, "duration_minutes"),
    ({"duration_minutes": 13 * 60}, "duration_minutes"),
    ({"first_starts_at": "2023-12-05T14:00:00"}, "first_starts_at"),
    ({"first_starts_at": "1850-12-05T14:00:00+07:00"}, "first_starts_at"),
    ({"first_starts_at": "2999-12-05T14:00:00+07:00"}, "first_starts_at"),
    ({"weekdays": ["funday"], "interval_days": None}, "weekdays"),
    ({"interval_days": 0}, "interval_days"),
])
def test_series_refuses_bad_input_and_writes_nothing(make, override, field):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser)
    data = {"first_starts_at": "2023-12-05T14:00:00+07:00", "count": 7, "interval_days": 2,
            "duration_minutes": 120}
    data.update(override)
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ValidationError) as caught:
        services.create_series(training, data, actor=organiser)
    assert field in [d["field"] for d in caught.value.details]
    db.session.rollback()
    assert db.session.query(TrainingSession).count() == 0


def test_update_session_raises_sequence_on_every_change_only(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1)
    session = training.sessions[0]
    assert session.sequence == 0

    services.update_session(session, {"starts_at": "2023-12-05T15:00:00+07:00"}, actor=organiser)
    assert session.sequence == 1 and session.starts_at == datetime(2023, 12, 5, 8, 0, tzinfo=UTC)
    services.update_session(session, {"starts_at": "2023-12-05T08:00:00Z"}, actor=organiser)
    assert session.sequence == 1  # the same instant: nothing changed
    services.update_session(session, {"title": {"id": "Pembukaan", "en": "Opening"}}, actor=organiser)
    assert session.sequence == 2
    services.cancel_session(session, actor=organiser)
    assert session.status == "cancelled" and session.sequence == 3
    services.cancel_session(session, actor=organiser)
    assert session.sequence == 3
    services.reinstate_session(session, actor=organiser)
    assert session.status == "scheduled" and session.sequence == 4


def test_session_numbers_follow_start_time(make):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=3)
    last = training.sessions[2]
    services.update_session(last, {"starts_at": "2023-12-01T10:00:00+07:00"}, actor=organiser)
    db.session.commit()
    assert services.session_number(last) == 1
    assert [s.id for _n, s in services.numbered_sessions(training)][0] == last.id


def test_facilitator_conflicts_warn_but_do_not_block(make):
    organiser = make.user("organiser")
    fac = make.user("facilitator", email="fac@example.org", name="Fatima")
    one = make.training(organiser=organiser)
    other = make.training(organiser=make.user("organiser"))
    booked = make.session(other, starts_at=datetime(2023, 12, 5, 7, 0, tzinfo=UTC),
                          duration_minutes=120, facilitators=[fac])

    session, warnings = services.create_session(one, {
        "title": {"id": "Sesi", "en": "Session"}, "starts_at": "2023-12-05T15:30:00+07:00",
        "duration_minutes": 60, "facilitators": ["fac@example.org"]}, actor=organiser)
    assert session.id is not None  # created anyway
    assert [(w["facilitator"], w["conflicting_session"]) for w in warnings] == [
        ("fac@example.org", booked.id)]
    assert "Fatima" in warnings[0]["message"]
    assert booked.title_en not in warnings[0]["message"]  # another training's details stay private
    # the facilitator now belongs to the training's team
    assert fac in services.staff_of(one, "facilitator")

    # back to back is no conflict
    later = services.update_session(session, {"starts_at": "2023-12-05T16:00:00+07:00"}, actor=organiser)
    assert later == []
    # a cancelled session is no conflict either
    services.update_session(session, {"starts_at": "2023-12-05T15:00:00+07:00"}, actor=organiser)
    services.cancel_session(booked, actor=organiser)
    assert services.facilitator_conflicts(session) == []


def test_conversion_where_local_date_differs_from_home_date(app):
    # 20:00 WIB on Tuesday is 09:00 on Wednesday in Auckland and still Tuesday in Karachi.
    instant = datetime(2023, 12, 5, 13, 0, tzinfo=UTC)
    assert to_zone(instant, "Asia/Jakarta").date().isoformat() == "2023-12-05"
    assert to_zone(instant, "Pacific/Auckland").date().isoformat() == "2023-12-06"
    with app.test_request_context():
        assert format_time(instant, "Asia/Jakarta") == "20:00 WIB"
        assert format_time(instant, "Asia/Kuala_Lumpur") == "21:00 MYT"
        assert format_time(instant, "Asia/Karachi") == "18:00 PKT"
        from trainings.scheduling.page import zone_line as _zone_line
        line = _zone_line(instant, "Asia/Jakarta", ["Asia/Karachi", "Pacific/Auckland"])
    assert [(e["time"], e["shift"]) for e in line] == [("20:00 WIB", 0), ("18:00 PKT", 0),
                                                        ("02:00 NZDT", 1)]
    assert line[2]["date"] == "Wed 6 Dec"


def test_add_staff_refuses_unknown_people_and_duplicates(make):
    organiser = make.user("organiser")
    fac = make.user("facilitator")
    training = make.training(organiser=organiser)
    services.add_staff(training, fac.email.upper(), "facilitator", actor=organiser)
    with pytest.raises(Conflict):
        services.add_staff(training, fac.email, "facilitator", actor=organiser)
    with pytest.raises(ValidationError):
        services.add_staff(training, "nobody@example.org", "facilitator", actor=organiser)
    with pytest.raises(ValidationError):
        services.add_staff(training, fac.email, "boss", actor=organiser)
    only = services.staff_of(training, "organiser")
    assert only == [organiser]
    with pytest.raises(Conflict):
        services.remove_staff(training, training.staff[0].id, actor=organiser)


def test_schedule_for_uses_a_fixed_number_of_queries(make, count_queries):
    participant = make.user()

    def measure():
        db.session.expire_all()
        with count_queries() as counter:
            items = schedule.schedule_for(participant)
            for item in items:
                _ = (item.session.title_en, item.session.facilitators, item.training.title_en,
                     item.enrolment.status, item.number, item.attendance)
        return items, counter.count

    for _ in range(2):
        make.enrolment(make.training(organiser=make.user("organiser"), sessions=7), user=participant)
    few, few_queries = measure()
    for _ in range(4):
        make.enrolment(make.training(organiser=make.user("organiser"), sessions=7), user=participant)
    many, many_queries = measure()
    assert (len(few), len(many)) == (14, 42)
    assert [i.number for i in many[:6]] == [1] * 6
    assert many_queries == few_queries <= 5


def test_accessibility_checklist_per_session(make):
    fac = make.user("facilitator")
    training = make.training(organiser=make.user("organiser"), facilitators=[fac], sessions=1,
                             first_start=datetime.now(UTC) + timedelta(days=1))
    make.enrolment(training, name="Siti", accessibility_needs="Live captions please")
    make.enrolment(training, name="Ayesha", accessibility_needs="Bahasa isyarat (BISINDO)")
    make.enrolment(training, name="Rina", accessibility_needs="Koneksi lemah, hanya audio")
    make.enrolment(training, name="Budi")
    make.enrolment(training, name="Waiting", status="waitlisted", accessibility_needs="captions")
    rows = schedule.sessions_facilitated_by(fac, upcoming_from=datetime.now(UTC))
    assert len(rows) == 1
    checklist = {c["key"]: c["people"] for c in rows[0].checklist}
    assert checklist == {"captions": ["Siti"], "sign_language": ["Ayesha"], "audio_only": ["Rina"]}
    assert [e.name for e in rows[0].participants] == ["Ayesha", "Budi", "Rina", "Siti"]


def test_demo_follow_up_is_idempotent_and_shows_upcoming(app):
    from trainings.demo import DEMO_PARTICIPANT, load_demo
    from trainings.scheduling.demo import FOLLOW_UP_EN, load_demo_scheduling
    from trainings.scheduling.models import Training

    training, _ = load_demo()
    load_demo_scheduling(training)
    db.session.commit()
    load_demo_scheduling(training)
    db.session.commit()
    # the course, its follow-up clinic and the gathering (trainings/printing/demo.py)
    assert db.session.query(Training).count() == 3
    participant = db.session.query(type(training.staff[0].user)).filter_by(email=DEMO_PARTICIPANT).one()
    upcoming = [i for i in schedule.schedule_for(participant) if i.session.starts_at > datetime.now(UTC)
                and i.training.title_en == FOLLOW_UP_EN]
    assert len(upcoming) == 3 and all(i.may_join for i in upcoming)


def test_classify_needs(app):
    assert services.classify_needs("Sign language interpreting (BISINDO)") == ["sign_language"]
    assert services.classify_needs("Penerjemah bahasa Inggris") == ["interpretation"]
    assert services.classify_needs("Large-print materials") == ["documents"]
    assert services.classify_needs("Takarir langsung dan jeda istirahat") == ["captions", "breaks"]
    assert services.classify_needs("A quiet room") == ["other"]
    assert services.classify_needs("  ") == []


def test_participants_hear_of_changes_to_upcoming_sessions_in_their_language(make):
    from trainings.outbox.models import OutboxMessage

    organiser = make.user("organiser")
    training = make.training(organiser=organiser, title_id="Kepemimpinan", title_en="Leadership")
    start = datetime.now(UTC).replace(microsecond=0) + timedelta(days=10)
    session = make.session(training, starts_at=start)
    make.enrolment(training, name="Siti", language="id", timezone="Asia/Jakarta")
    make.enrolment(training, name="Ayesha", language="en", timezone="Asia/Karachi", email="a@example.org")
    make.enrolment(training, name="Waiting", status="waitlisted")

    services.update_session(session, {"title": {"id": "Baru", "en": "New"}}, actor=organiser)
    assert db.session.query(OutboxMessage).count() == 0  # a new title is no news
    services.update_session(session, {"starts_at": (start + timedelta(hours=1)).isoformat()},
                            actor=organiser)
    messages = db.session.query(OutboxMessage).order_by(OutboxMessage.id).all()
    assert [m.to_name for m in messages] == ["Siti", "Ayesha"]
    assert messages[0].subject == "Sesi 1 dari Kepemimpinan mendapat waktu baru"
    assert "WIB" in messages[0].body and "PKT" in messages[1].body
    assert messages[1].kind == "session_rescheduled"
    services.cancel_session(session, actor=organiser)
    assert db.session.query(OutboxMessage).filter_by(kind="session_cancelled").count() == 2

    past = make.session(training, starts_at=datetime(2023, 12, 5, 7, 0, tzinfo=UTC))
    services.cancel_session(past, actor=organiser)
    assert db.session.query(OutboxMessage).count() == 4  # nobody hears about the past


def test_training_conflicts_match_single_session_checks(make):
    organiser = make.user("organiser")
    fac, other_fac = make.user("facilitator"), make.user("facilitator")
    training = make.training(organiser=organiser)
    base = datetime(2030, 1, 7, 7, 0, tzinfo=UTC)
    a = make.session(training, starts_at=base, facilitators=[fac])
    b = make.session(training, starts_at=base + timedelta(hours=1), facilitators=[fac, other_fac])
    c = make.session(training, starts_at=base + timedelta(hours=3), facilitators=[fac])
    d = make.session(make.training(), starts_at=base + timedelta(hours=3, minutes=30),
                     facilitators=[other_fac, fac], status="cancelled")
    together = services.training_conflicts([a, b, c, d])
    for session in (a, b, c, d):
        assert together.get(session.id, []) == services.facilitator_conflicts(session)
    assert [w["conflicting_session"] for w in together[a.id]] == [b.id]
    assert c.id not in together  # only overlapping a cancelled session
