"""Attendance services: marking, audit trail, intervals, thresholds, the import pipeline."""
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from trainings.attendance import services
from trainings.attendance.models import AttendanceChange, AttendanceRecord
from trainings.attendance.reports import ReportError, ReportRow
from trainings.attendance.services import records
from trainings.errors import ValidationError
from trainings.extensions import db

DATA = Path(__file__).parent / "data" / "attendance"

COHORT = [  # name, email, country
    ("Siti Nurhalizah", "siti.nurhalizah@example.org", "ID"),
    ("Çağla Demir", "cagla.demir@example.org", "MY"),
    ("Nur Aisyah binti Abdullah", "nur.aisyah@example.org", "MY"),
    ("Dewi Lestari", "dewi.lestari@example.org", "ID"),
    ("Tan Mei Ling", "tan.meiling@example.org", "MY"),
    ("Rina Wulandari", "rina.w@example.org", "ID"),
    ("زینب بی بی", "zainab.bibi@example.org", "PK"),
    ("Kavitha Ramasamy", "kavitha@example.org", "MY"),
]


@pytest.fixture
def cohort(make):
    organiser = make.user("organiser")
    facilitator = make.user("facilitator")
    training = make.training(organiser=organiser, sessions=2)  # 5 Dec 2023 14:00 WIB, 120 min
    people = {name: make.enrolment(training, name=name, email=email, country=country)
              for name, email, country in COHORT}
    waiting = make.enrolment(training, name="Waiting Person", status="waitlisted")
    session = training.sessions[0]
    session.facilitators.append(facilitator)
    db.session.commit()
    return {"training": training, "session": session, "people": people, "organiser": organiser,
            "facilitator": facilitator, "waiting": waiting}


def statuses(session):
    return {e: s for e, s in db.session.execute(
        select(AttendanceRecord.enrolment_id, AttendanceRecord.status)
        .where(AttendanceRecord.session_id == session.id))}


def changes_count():
    return db.session.scalar(select(func.count()).select_from(AttendanceChange))


def test_set_records_writes_audit_rows_and_skips_unchanged(cohort):
    session, people, org = cohort["session"], cohort["people"], cohort["organiser"]
    siti, dewi = people["Siti Nurhalizah"].id, people["Dewi Lestari"].id
    n = services.set_records(session, [{"enrolment": siti, "status": "present"},
                                       {"enrolment": dewi, "status": "excused", "note": "Sakit"}],
                             actor=org)
    db.session.commit()
    assert n == 2
    assert statuses(session) == {siti: "present", dewi: "excused"}
    assert services.set_records(session, [{"enrolment": siti, "status": "present"}], actor=org) == 0
    assert services.set_records(session, [{"enrolment": siti, "status": "late"}], actor=org) == 1
    db.session.commit()
    trail = services.audit_trail(session)
    assert len(trail) == 3
    assert (trail[0].name, trail[0].old_status, trail[0].new_status, trail[0].source,
            trail[0].changed_by) == ("Siti Nurhalizah", "present", "late", "manual", org.name)
    assert {(c.name, c.old_status, c.new_status) for c in trail[1:]} == {
        ("Siti Nurhalizah", None, "present"), ("Dewi Lestari", None, "excused")}
    dewi_row = next(c for c in trail if c.name == "Dewi Lestari")
    assert dewi_row.new_note == "Sakit"


def test_records_untouched_by_another_facilitator_are_kept(cohort):
    session, people = cohort["session"], cohort["people"]
    siti, dewi = people["Siti Nurhalizah"].id, people["Dewi Lestari"].id
    services.set_records(session, [{"enrolment": siti, "status": "absent"}], actor=cohort["organiser"])
    services.set_records(session, [{"enrolment": dewi, "status": "late"}], actor=cohort["facilitator"])
    db.session.commit()
    assert statuses(session) == {siti: "absent", dewi: "late"}


def test_only_accepted_enrolments_and_known_statuses(cohort, make):
    session, org = cohort["session"], cohort["organiser"]
    other = make.enrolment(make.training(), name="Elsewhere")
    before = changes_count()
    with pytest.raises(ValidationError) as caught:
        services.set_records(session, [{"enrolment": cohort["people"]["Siti Nurhalizah"].id,
                                        "status": "present"},
                                       {"enrolment": other.id, "status": "present"}], actor=org)
    assert caught.value.details[0]["row"] == 1
    db.session.rollback()
    with pytest.raises(ValidationError):
        services.set_records(session, [{"enrolment": other.id, "status": "here"}], actor=org)
    db.session.rollback()
    with pytest.raises(ValidationError):  # waitlisted: not an accepted participant
        services.set_records(session, [{"enrolment": cohort["waiting"].id, "status": "present"}],
                             actor=org)
    db.session.rollback()
    assert changes_count() == before and statuses(session) == {}


def test_mark_all_present_keeps_existing_statuses(cohort):
    session, people = cohort["session"], cohort["people"]
    services.set_records(session, [{"enrolment": people["Dewi Lestari"].id, "status": "excused"}],
                         actor=cohort["organiser"])
    marked = services.mark_all_present(session, actor=cohort["facilitator"])
    db.session.commit()
    assert marked == len(COHORT) - 1
    result = statuses(session)
    assert result[people["Dewi Lestari"].id] == "excused"
    assert sum(1 for s in result.values() if s == "present") == len(COHORT) - 1
    assert services.mark_all_present(session, actor=cohort["facilitator"]) == 0


def t(h, m):
    return datetime(2023, 12, 5, h, m, tzinfo=UTC)


def test_merge_intervals_and_minutes():
    merged = services.merge_intervals([(t(7, 0), t(7, 40)), (t(7, 35), t(8, 20)),
                                       (t(8, 20), t(8, 40)), (t(9, 0), t(9, 10))])
    assert merged == [(t(7, 0), t(8, 40)), (t(9, 0), t(9, 10))]
    rows = [ReportRow("A", "", t(7, 0), t(7, 40), 40, 1), ReportRow("A", "", t(7, 35), t(8, 20), 45, 2),
            ReportRow("A", "", t(7, 0), t(7, 40), 40, 3)]  # duplicated row
    assert services.minutes_of(rows) == 80


def test_thresholds_and_lateness(cohort):
    session, training = cohort["session"], cohort["training"]
    assert services.threshold_minutes(session) == 72  # 60 % of 120 minutes
    assert services.threshold_minutes(session, 60) == 60
    assert services.status_for(session, 72, t(7, 15), 72) == "present"
    assert services.status_for(session, 72, t(7, 16), 72) == "late"
    assert services.status_for(session, 71.5, t(7, 0), 72) == "absent"
    training.late_after_minutes = 30
    assert services.status_for(session, 100, t(7, 20), 72) == "present"
    with pytest.raises(ValidationError):
        services.validate_min_minutes("abc")


@pytest.mark.parametrize("sample, late", [
    ("zoom_participants_with_meeting.csv", True), ("zoom_participants.csv", True),
    ("zoom_unique_users.csv", False), ("meet_attendance.csv", True), ("teams_attendance.csv", True),
])
def test_import_pipeline_on_every_platform(cohort, sample, late):
    session, people = cohort["session"], cohort["people"]
    result = services.import_report(session, (DATA / sample).read_bytes(), actor=cohort["facilitator"],
                                    filename=sample)
    db.session.commit()
    s = statuses(session)
    name = {e.id: n for n, e in people.items()}
    got = {name[e]: v for e, v in s.items()}
    assert got["Siti Nurhalizah"] == "present"  # "(Original Name)" matched by email; duplicate once
    assert got["Çağla Demir"] == "present"  # reconnect: 58 + 55 minutes
    assert got["Nur Aisyah binti Abdullah"] == "present"  # overlapping intervals merged
    assert got["Dewi Lestari"] == ("late" if late else "present")  # joined 32 minutes late
    assert got["Tan Mei Ling"] == "absent"  # 20 minutes
    assert got["Rina Wulandari"] == "present"  # guest without email, "(iPhone)"/"(Guest)"
    assert got["Kavitha Ramasamy"] == "absent"  # not in the report
    if sample != "teams_attendance.csv":
        assert got["زینب بی بی"] == "present"  # Urdu name, guest, matched by name
    assert result["present"] + result["absent"] == len(COHORT)
    unmatched = {u["name"] for u in result["unmatched"]}
    assert "Ratna Widyaningsih" in unmatched  # the host is not a participant
    assert any(u["email"] is None for u in result["unmatched"])
    nur = db.session.scalar(select(AttendanceRecord).where(
        AttendanceRecord.enrolment_id == people["Nur Aisyah binti Abdullah"].id))
    assert nur.minutes in (100, 105)  # merged intervals (100), or Zoom's unique-users total
    # the same report again changes nothing and writes no audit row
    before = changes_count()
    again = services.import_report(session, (DATA / sample).read_bytes(),
                                   actor=cohort["facilitator"], filename=sample)
    db.session.commit()
    assert again == result
    assert changes_count() == before
    sources = set(db.session.scalars(select(AttendanceChange.source)))
    platform = {"meet": "meet", "teams": "teams"}.get(sample.split("_")[0], "zoom")
    assert sources == {f"import:{platform}:{sample}#{result['import']}"}  # the applied import


def test_zoom_counts_match_the_api_contract(cohort):
    result = services.import_report(cohort["session"],
                                    (DATA / "zoom_participants.csv").read_bytes(),
                                    actor=cohort["organiser"], filename="zoom.csv")
    assert result["present"] == 6 and result["absent"] == 2
    assert sorted(u["name"] for u in result["unmatched"]) == sorted(
        ["Ratna Widyaningsih", "Budi (Android)", "عائشہ صدیقی"])
    budi = next(u for u in result["unmatched"] if u["name"] == "Budi (Android)")
    assert budi == {"name": "Budi (Android)", "email": None, "minutes": 30}


def test_min_minutes_override_and_excused_kept(cohort):
    session, people = cohort["session"], cohort["people"]
    services.set_records(session, [{"enrolment": people["Kavitha Ramasamy"].id, "status": "excused"}],
                         actor=cohort["organiser"])
    services.import_report(session, (DATA / "zoom_participants.csv").read_bytes(),
                           actor=cohort["organiser"], filename="z.csv", min_minutes=15)
    db.session.commit()
    s = statuses(session)
    assert s[people["Tan Mei Ling"].id] == "present"  # 20 minutes >= 15
    assert s[people["Kavitha Ramasamy"].id] == "excused"  # not in the report, excused stays


def test_staged_preview_manual_match_then_apply(cohort):
    session, people, fac = cohort["session"], cohort["people"], cohort["facilitator"]
    staged = services.stage_import(session, (DATA / "zoom_participants.csv").read_bytes(),
                                   actor=fac, filename="zoom.csv")
    db.session.commit()
    assert statuses(session) == {}  # a preview writes no attendance
    first = services.analyse_staged(session, staged)
    budi = next(p for p in first.unmatched if p.name == "Budi (Android)")
    kavitha = people["Kavitha Ramasamy"].id
    preview = services.analyse_staged(session, staged, manual={budi.key: kavitha}, min_minutes=30)
    assert kavitha in {p.enrolment for p in preview.matched}
    services.apply_staged(session, staged, actor=fac, manual={budi.key: kavitha}, min_minutes=30)
    db.session.commit()
    assert statuses(session)[kavitha] == "present"
    with pytest.raises(Exception):
        services.get_staged(session, staged.token, actor=cohort["organiser"])  # not theirs


def test_wrong_file_writes_nothing(cohort):
    before = changes_count()
    with pytest.raises(ReportError):
        services.import_report(cohort["session"], (DATA / "not_a_report.csv").read_bytes(),
                               actor=cohort["organiser"])
    db.session.rollback()
    assert changes_count() == before and statuses(cohort["session"]) == {}


def test_a_record_created_meanwhile_by_someone_else_is_updated_not_duplicated(cohort, monkeypatch):
    """Two facilitators mark the same person at once: the second changes the first's row."""
    session, siti = cohort["session"], cohort["people"]["Siti Nurhalizah"]
    real_insert = records._insert_if_absent

    def other_wins(values):
        real_insert({**values, "status": "excused", "updated_by_id": cohort["organiser"].id})
        return real_insert(values)  # now a conflict: nothing inserted

    monkeypatch.setattr(records, "_insert_if_absent", other_wins)
    assert services.set_records(session, [{"enrolment": siti.id, "status": "late"}],
                                actor=cohort["facilitator"]) == 1
    db.session.commit()
    assert statuses(session) == {siti.id: "late"}
    trail = services.audit_trail(session)
    assert [(c.old_status, c.new_status) for c in trail] == [("excused", "late")]


def test_a_report_of_another_day_is_refused(cohort):
    other_day = (DATA / "zoom_participants.csv").read_text(encoding="utf-8").replace(
        "12/05/2023", "12/07/2023").encode()
    with pytest.raises(ReportError) as caught:
        services.import_report(cohort["session"], other_day, actor=cohort["organiser"])
    assert caught.value.code == "report_for_another_session"
    assert "another session" in str(caught.value.message)
    assert statuses(cohort["session"]) == {}


def test_older_teams_list_matched_by_name(cohort):
    people = cohort["people"]
    services.import_report(cohort["session"],
                           (DATA / "teams_attendance_list_legacy.csv").read_bytes(),
                           actor=cohort["organiser"], filename="teams.csv")
    got = {n: statuses(cohort["session"])[e.id] for n, e in people.items()}
    assert got["Siti Nurhalizah"] == "present" and got["Çağla Demir"] == "present"
    assert got["Dewi Lestari"] == "late" and got["Tan Mei Ling"] == "absent"
    assert got["Nur Aisyah binti Abdullah"] == "absent"


def test_an_import_never_lowers_a_status_set_by_hand(cohort):
    session, people, org = cohort["session"], cohort["people"], cohort["organiser"]
    tan, kavitha = people["Tan Mei Ling"].id, people["Kavitha Ramasamy"].id
    services.mark_all_present(session, actor=org)  # the roll call: everybody present by hand
    db.session.commit()
    report = (DATA / "zoom_participants.csv").read_bytes()
    preview = services.analyse(session, services.parse_upload(session, report).rows, platform="zoom")
    tan_row = next(p for p in preview.matched if p.enrolment == tan)
    assert (tan_row.current, tan_row.status, tan_row.kept) == ("present", "present", True)
    assert next(m for m in preview.missing if m["enrolment"] == kavitha)["kept"] is True
    result = services.import_report(session, report, actor=org, filename="zoom.csv")
    db.session.commit()
    assert result["kept"] == 3  # Tan (20 minutes), Kavitha (not in the report), one late
    assert statuses(session)[tan] == "present" and statuses(session)[kavitha] == "present"
    assert set(statuses(session).values()) == {"present"}

    result = services.import_report(session, report, actor=org, filename="zoom.csv", overwrite=True)
    db.session.commit()
    assert result["kept"] == 0
    assert statuses(session)[tan] == "absent" and statuses(session)[kavitha] == "absent"


def test_a_status_set_by_an_import_may_be_lowered_by_the_next_one(cohort):
    session, people, org = cohort["session"], cohort["people"], cohort["organiser"]
    tan = people["Tan Mei Ling"].id
    report = (DATA / "zoom_participants.csv").read_bytes()
    services.import_report(session, report, actor=org, filename="z.csv", min_minutes=15)
    db.session.commit()
    assert statuses(session)[tan] == "present"
    result = services.import_report(session, report, actor=org, filename="z.csv")
    db.session.commit()
    assert result["kept"] == 0 and statuses(session)[tan] == "absent"
    services.set_records(session, [{"enrolment": tan, "status": "late"}], actor=org)  # by hand
    db.session.commit()
    assert services.import_report(session, report, actor=org, filename="z.csv")["kept"] == 1
    db.session.commit()
    assert statuses(session)[tan] == "late"


def test_roll_call_opens_30_minutes_before_the_start(make):
    from datetime import timedelta

    from trainings.db import utcnow
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1, first_start=utcnow() + timedelta(hours=2))
    person = make.enrolment(training)
    session = training.sessions[0]
    with pytest.raises(ValidationError) as refused:
        services.set_records(session, [{"enrolment": person.id, "status": "present"}], actor=organiser)
    assert refused.value.code == "session_not_started"
    assert services.set_records(session, [{"enrolment": person.id, "status": "excused"}],
                                actor=organiser) == 1  # announced in advance
    session.starts_at = utcnow() + timedelta(minutes=20)
    assert services.set_records(session, [{"enrolment": person.id, "status": "present"}],
                                actor=organiser) == 1
