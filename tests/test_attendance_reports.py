"""Report adapters (Zoom, Google Meet, Teams) against anonymised samples, and name matching."""
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from trainings.attendance.reports import (
    ReportError,
    normalise_name,
    parse_duration,
    parse_report,
)

DATA = Path(__file__).parent / "data" / "attendance"
WIB = "Asia/Jakarta"


def parse(name):
    return parse_report((DATA / name).read_bytes(), zone=WIB, session_date=date(2023, 12, 5))


def by_name(report, name):
    return [r for r in report.rows if r.name == name]


@pytest.mark.parametrize("name", ["zoom_participants_with_meeting.csv", "zoom_participants.csv"])
def test_zoom_participants_with_and_without_meeting_block(name):
    report = parse(name)
    assert report.platform == "zoom"
    assert len(report.rows) == 14  # every row, duplicates and reconnects included
    siti = by_name(report, "Siti N (Siti Nurhalizah)")
    assert len(siti) == 2  # the duplicated row is kept here; merging makes it count once
    # local times in the training's zone (WIB, UTC+7): 01:58:10 PM -> 06:58:10 UTC
    assert siti[0].join == datetime(2023, 12, 5, 6, 58, 10, tzinfo=UTC)
    assert siti[0].minutes == 122
    reconnects = by_name(report, "Nur Aisyah binti Abdullah")
    assert len(reconnects) == 3
    guest = by_name(report, "Rina Wulandari (iPhone)")[0]
    assert guest.email == ""
    assert by_name(report, "زینب بی بی")[0].minutes == 110
    assert by_name(report, "Çağla Demir")[0].email == "cagla.demir@example.org"


def test_zoom_unique_users_variant_has_minutes_only():
    report = parse("zoom_unique_users.csv")
    assert report.platform == "zoom"
    nur = by_name(report, "Nur Aisyah binti Abdullah")[0]
    assert (nur.join, nur.leave, nur.minutes) == (None, None, 105)


def test_meet_first_and_last_name_and_free_text_durations():
    report = parse("meet_attendance.csv")
    assert report.platform == "meet"
    siti = by_name(report, "Siti Nurhalizah")[0]
    assert siti.minutes == 121
    assert siti.join == datetime(2023, 12, 5, 6, 58, tzinfo=UTC)  # "1:58 PM" on the session's day
    assert by_name(report, "Tan Mei Ling")[0].minutes == 20
    assert len(by_name(report, "Rina Wulandari")) == 2  # duplicated guest row
    assert by_name(report, "زینب بی بی")[0].minutes == 110


def test_meet_single_name_column_and_iso_times():
    report = parse("meet_attendance_name_column.csv")
    assert report.platform == "meet"
    assert [r.name for r in report.rows] == ["Siti Nurhalizah", "CAGLA DEMIR", "Tan Mei Ling"]
    assert report.rows[2].minutes == 61


def test_teams_utf16_sections_prefer_in_meeting_activities():
    report = parse("teams_attendance.csv")
    assert report.platform == "teams"
    assert len(by_name(report, "Nur Aisyah binti Abdullah")) == 3  # every join and leave
    cagla = by_name(report, "Çağla Demir")
    assert [r.minutes for r in cagla] == [58, 55]
    assert cagla[0].join == datetime(2023, 12, 5, 7, 3, tzinfo=UTC)
    assert by_name(report, "Rina Wulandari (Guest)")[0].email == ""


def test_times_with_a_stated_offset_are_not_reinterpreted():
    data = ("Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
            "Siti,siti@example.org,2023-12-05 12:00:00+05:00,2023-12-05 13:00:00+05:00,60,No\n"
            "Ali,ali@example.org,12/05/2023 12:00 PM GMT+5,12/05/2023 01:00 PM GMT+5,60,No\n")
    report = parse_report(data.encode(), zone=WIB, session_date=date(2023, 12, 5))
    assert report.rows[0].join == datetime(2023, 12, 5, 7, 0, tzinfo=UTC)
    assert report.rows[1].join == datetime(2023, 12, 5, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("name, words", [
    ("not_a_report.csv", "not a participant report"),
    ("not_text.png", "not a text"),
    ("zoom_bad_time.csv", "Line 2"),
])
def test_wrong_files_give_a_clear_error(name, words):
    with pytest.raises(ReportError) as caught:
        parse(name)
    assert words in str(caught.value.message)
    assert caught.value.status == 422


def test_empty_file_is_refused():
    with pytest.raises(ReportError):
        parse_report(b"  \n", zone=WIB, session_date=date(2023, 12, 5))


@pytest.mark.parametrize("text, minutes", [
    ("1 hr 2 min", 62), ("59m 35s", 59 + 35 / 60), ("1h 2m 3s", 62.05), ("45", 45),
    ("2 hr", 120), ("1:02:00", 62), ("30 sec", 0.5), ("1 jam 5 menit", 65),
])
def test_durations(text, minutes):
    assert parse_duration(text) == pytest.approx(minutes)


@pytest.mark.parametrize("raw, clean", [
    ("Siti  NURHALIZAH", "siti nurhalizah"),
    ("Çağla Demir", "cagla demir"),
    ("Rina Wulandari (iPhone)", "rina wulandari"),
    ("Rina's iPhone", "rina"),
    ("Budi - Android", "budi"),
    ("Ruang Rapat (Zoom Rooms)", "ruang rapat"),
    ("Zoom Rooms Jakarta", "jakarta"),
    ("Nguyễn Thị Hồng", "nguyen thi hong"),
    ("زینب بی بی", "زینب بی بی"),
])
def test_normalised_names(raw, clean):
    assert normalise_name(raw) == clean


def test_older_teams_attendance_list_pairs_joined_and_left():
    report = parse("teams_attendance_list_legacy.csv")
    assert report.platform == "teams"
    cagla = by_name(report, "Çağla Demir")
    assert [(r.join.hour, r.join.minute, r.leave.hour, r.leave.minute) for r in cagla] == [
        (14, 3, 15, 1), (15, 5, 16, 0)]  # local WIB times, two intervals
    assert by_name(report, "Dewi Lestari")[0].join == datetime(2023, 12, 5, 7, 32, tzinfo=UTC)
