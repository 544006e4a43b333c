"""My schedule's page read model (overview/schedule_page.py): one statement of plain rows,
the same sessions, numbers, attendance and progress as the read model the API and the
calendar feed use, the most recent past sessions with a link to all, and queries that do
not grow with trainings, sessions or past sessions."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from trainings.attendance.eligibility import progress_for_enrolments
from trainings.attendance.models import AttendanceRecord
from trainings.extensions import db
from trainings.overview.schedule import schedule_for
from trainings.overview.schedule_page import PAST_SHOWN, read_schedule


def _past_rows(page: str) -> list[str]:
    section = page.split('id="past-heading"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td></tr>", section)


def test_the_page_model_matches_the_shared_read_model(app, make):
    """Sessions, numbers, own attendance, who may join, and progress: the same answers as
    ``schedule_for`` and ``progress_for_enrolments`` (which the API and feed use)."""
    now = datetime.now(UTC)
    organiser, person = make.user("organiser"), make.user("facilitator")
    first = make.training(organiser=organiser, sessions=5, certificate_rule={"min_sessions": 3})
    second = make.training(organiser=organiser, sessions=0,
                           certificate_rule={"min_sessions": 2, "excused_counts": True})
    for days in (-4, -2, 1, 3):
        make.session(second, starts_at=now + timedelta(days=days))
    make.session(second, starts_at=now - timedelta(days=1), status="cancelled")
    staffed = make.training(organiser=person, sessions=2)  # on the team only
    both = make.training(organiser=person, sessions=2)  # on the team and enrolled
    waiting = make.training(organiser=organiser, sessions=2)
    mine = [make.enrolment(t, user=person) for t in (first, second, both)]
    make.enrolment(waiting, user=person, status="waitlisted")
    make.enrolment(first, user=make.user())  # someone else's attendance is not ours
    # JSON columns (decoded once per distinct text): two sessions share a value
    for session, codes in zip(first.sessions, (["id-en"], ["id-en"], ["sign:BISINDO", "id-en"])):
        session.interpretation = codes
    for session, status in zip(first.sessions, ("present", "late", "absent", "excused")):
        db.session.add(AttendanceRecord(session_id=session.id, enrolment_id=mine[0].id,
                                        status=status))
    for session in second.sessions[:2]:
        db.session.add(AttendanceRecord(session_id=session.id, enrolment_id=mine[1].id,
                                        status="excused"))
    db.session.commit()

    with app.test_request_context("/"):
        page = read_schedule(person, now, all_past=True)
    shown = list(reversed(page.past)) + page.upcoming
    expected = schedule_for(person)
    assert [s.id for s in shown] == [i.session.id for i in expected]
    assert [(s.number, s.attendance, s.may_join, s.enrolled) for s in shown] == [
        (i.number, i.attendance, i.may_join, i.enrolment is not None) for i in expected]
    assert [s.interpretation for s in shown] == [i.session.interpretation for i in expected]
    assert {t.id: t.rule for t in page.trainings} == {
        i.training.id: i.training.certificate_rule for i in expected}
    assert {s.training.id for s in shown if not s.enrolled} == {staffed.id}
    assert {s.training.id for s in shown if not s.may_join} == {waiting.id}
    progress = progress_for_enrolments(mine)
    assert {t.enrolment.id: t.progress for t in page.trainings
            if t.enrolment is not None and t.enrolment.status == "accepted"} == progress
    assert [t.id for t in page.trainings] == list(dict.fromkeys(
        i.training.id for i in expected))
    assert [e.training_id for e in page.waiting] == [waiting.id]


def test_past_sessions_most_recent_first_limited_with_a_link_to_all(make, login, client):
    participant = make.user(timezone="Asia/Karachi")
    training = make.training(organiser=make.user("organiser"), sessions=PAST_SHOWN + 5,
                             certificate_rule={"min_sessions": 1})
    enrolment = make.enrolment(training, user=participant)
    oldest = training.sessions[0]
    db.session.add(AttendanceRecord(session_id=oldest.id, enrolment_id=enrolment.id,
                                    status="present"))
    db.session.commit()
    login(participant)
    page = client.get("/me/schedule").get_data(as_text=True)
    rows = _past_rows(page)
    assert len(rows) == PAST_SHOWN
    assert rows[0][1].endswith(f"session {PAST_SHOWN + 5}")  # the most recent first
    assert rows[-1][1].endswith("session 6")
    assert f"The {PAST_SHOWN} most recent of your {PAST_SHOWN + 5} past sessions." in page
    assert 'href="/me/schedule?past=all#past-heading"' in page
    # the progress still counts every session, shown or not
    assert f"1 of {PAST_SHOWN + 5} sessions attended" in page

    everything = client.get("/me/schedule?past=all").get_data(as_text=True)
    rows = _past_rows(everything)
    assert len(rows) == PAST_SHOWN + 5
    assert rows[-1] == ("Dec 5, 2023, 12:00 PKT", f"{training.title_en}: session 1", "Present")
    assert "Show all past sessions" not in everything
    assert 'href="/me/schedule#past-heading"' in everything


def test_few_past_sessions_need_no_link(make, login, client):
    participant = make.user()
    make.enrolment(make.training(organiser=make.user("organiser"), sessions=3), user=participant)
    login(participant)
    for path in ("/me/schedule", "/me/schedule?past=all"):
        page = client.get(path).get_data(as_text=True)
        assert len(_past_rows(page)) == 3
        assert "Show all past sessions" not in page and "Show only the most" not in page


def test_the_page_in_indonesian_and_in_the_viewers_zone(make, login, client):
    now = datetime.now(UTC)
    viewer = make.user(language="id", timezone="Asia/Jakarta")
    training = make.training(organiser=make.user("organiser"), sessions=2, title_id="Pelatihan X",
                             title_en="Training X")
    soon = make.session(training, starts_at=now + timedelta(days=2), title_en="Next one")
    soon.title_id = "Berikutnya"
    soon.meeting_url = "https://meet.example.org/next"
    enrolment = make.enrolment(training, user=viewer)
    db.session.add(AttendanceRecord(session_id=training.sessions[0].id,
                                    enrolment_id=enrolment.id, status="present"))
    db.session.commit()
    login(viewer)
    page = client.get("/me/schedule").get_data(as_text=True)
    rows = _past_rows(page)
    assert rows == [("7 Des 2023, 14:00 WIB", "Pelatihan X: sesi 2", "Belum dicatat"),
                    ("5 Des 2023, 14:00 WIB", "Pelatihan X: sesi 1", "Hadir")]
    assert "Pelatihan X</a>: sesi 3, Berikutnya" in page
    assert "Tambahkan sesi 3 ke Google Calendar" in page
    assert "text=Pelatihan+X%3A+Berikutnya" in page  # the calendar link in the viewer's language


def test_cancelled_and_team_sessions_in_the_past_table(make, login, client):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2)
    training.sessions[1].status = "cancelled"
    db.session.commit()
    login(organiser)
    rows = _past_rows(client.get("/me/schedule").get_data(as_text=True))
    assert [r[2] for r in rows] == ["Cancelled", "Team"]


def test_user_text_is_escaped(make, login, client):
    participant = make.user()
    training = make.training(organiser=make.user("organiser"), sessions=1,
                             title_en="<script>alert(1)</script>", title_id="")
    make.enrolment(training, user=participant)
    login(participant)
    page = client.get("/me/schedule").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;: session 1" in page


def test_queries_do_not_grow_with_past_sessions_trainings_or_team_places(app,
        make, login, client, count_queries):
    app.config["PAGE_CACHE_SECONDS"] = 0  # rendering it (kept pages: test_page_cache.py)
    organiser = make.user("organiser")
    login(organiser)

    def queries(path="/me/schedule"):
        with count_queries() as counter:
            assert client.get(path).status_code == 200
        return counter.count

    make.enrolment(make.training(organiser=make.user("organiser"), sessions=2), user=organiser)
    make.training(organiser=organiser, sessions=1)
    one = queries()
    for _ in range(4):
        make.enrolment(make.training(organiser=make.user("organiser"), sessions=PAST_SHOWN),
                       user=organiser)
        make.training(organiser=organiser, sessions=PAST_SHOWN)
    assert queries() == one
    assert queries("/me/schedule?past=all") == one


def test_the_certificate_shows_on_its_training_only(make, login, client, count_queries):
    from trainings.certificates import services as certificates
    organiser, participant = make.user("organiser"), make.user()
    done = make.training(organiser=organiser, sessions=2, certificate_rule={"min_sessions": 1})
    other = make.training(organiser=organiser, sessions=2, certificate_rule={"min_sessions": 1})
    enrolment = make.enrolment(done, user=participant)
    make.enrolment(other, user=participant)
    db.session.add(AttendanceRecord(session_id=done.sessions[0].id, enrolment_id=enrolment.id,
                                    status="present"))
    db.session.commit()
    issued = certificates.issue_all(done, actor=organiser, base="http://localhost")
    db.session.commit()
    login(participant)

    def page_and_statements():
        with count_queries() as counter:
            page = client.get("/me/schedule").get_data(as_text=True)
        return page, [s for s in counter.statements if s.startswith("SELECT certificates.")]
    page, loaded = page_and_statements()
    assert page.count("Your certificate") == 1
    assert f"<code>{issued[0].code}</code>" in page
    assert f'id="my-certificate-{done.id}"' in page and f"my-certificate-{other.id}" not in page
    assert not loaded  # its code came with the page's rows, no certificates loaded
    # a corrected one replaces it: the new code only
    new = certificates.reissue(issued[0], actor=organiser, base="http://localhost",
                               reason="Typo in the name", name="Another Name")
    db.session.commit()
    page, _loaded = page_and_statements()
    assert f"<code>{new.code}</code>" in page and issued[0].code not in page
    assert page.count("Your certificate") == 1
    # a revoked one is not shown
    certificates.revoke(new, actor=organiser, reason="Issued by mistake")
    db.session.commit()
    page, _loaded = page_and_statements()
    assert "Your certificate" not in page and new.code not in page


def test_the_calendar_link_forms_carry_the_csrf_token(make, app_factory):
    from trainings.auth.models import User
    app = app_factory(WTF_CSRF_ENABLED=True)
    with app.app_context():
        person = make.user()
        person_id, email = person.id, person.email
    client = app.test_client()  # requests outside that context: each has its own ``g``
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": email, "password": make.PASSWORD, "csrf_token": token})
    page = client.get("/me/schedule").get_data(as_text=True)
    form = page.split('id="calendar-heading"', 1)[1]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert client.post("/me/calendar-token", data={"action": "create"}).status_code == 400
    with app.app_context():
        assert db.session.get(User, person_id).calendar_token_hash is None
    answer = client.post("/me/calendar-token", data={"action": "create", "csrf_token": token})
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(User, person_id).calendar_token_hash
    page = client.get("/me/schedule").get_data(as_text=True)
    assert "/me/calendar.ics?token=" in page and "Make a new link" in page
    assert page.count('<input type="hidden" name="csrf_token"') == 2 + 2  # layout + renew, off


def test_look_ups_with_nothing_to_find_are_skipped(make, login, client, count_queries):
    """Certificates, required surveys and check-in cards are looked up only when the
    page's statement says there is something (their display is tested elsewhere)."""
    organiser, participant = make.user("organiser"), make.user()
    training = make.training(organiser=organiser, sessions=3)
    make.enrolment(training, user=participant)
    login(participant)
    client.get("/me/schedule")

    def statements():
        with count_queries() as counter:
            assert client.get("/me/schedule").status_code == 200
        return [s.split("FROM", 1)[0] for s in counter.statements]

    def looked_up(prefix):
        return [s for s in statements() if s.startswith(prefix)]
    assert not looked_up("SELECT certificates.")
    assert not looked_up("SELECT surveys.")
    assert not looked_up("SELECT enrolments.")  # the check-in cards' statement
    training.sessions[0].mode, training.sessions[0].venue_name = "in_person", "Hall"
    db.session.commit()
    assert looked_up("SELECT enrolments.")


def test_schedule_for_numbers_sessions_in_their_training_order(app, make):
    """The API's and the feed's read model: numbers counted per training (cancelled
    sessions and sessions added out of order included), other trainings' sessions aside."""
    from trainings.scheduling.services import session_number
    now = datetime.now(UTC)
    person = make.user("facilitator")
    enrolled = make.training(organiser=make.user("organiser"), sessions=3)
    make.session(enrolled, starts_at=now - timedelta(days=5000))  # added last, the first
    make.session(enrolled, starts_at=now + timedelta(days=1), status="cancelled")
    staffed = make.training(organiser=person, sessions=2)
    make.training(organiser=make.user("organiser"), sessions=4)  # not the person's
    make.enrolment(enrolled, user=person)
    items = schedule_for(person)
    assert len(items) == 7
    assert all(item.number == session_number(item.session) for item in items)
    assert sorted(i.number for i in items if i.training.id == enrolled.id) == [1, 2, 3, 4, 5]
    assert sorted(i.number for i in items if i.training.id == staffed.id) == [1, 2]
