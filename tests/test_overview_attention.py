"""The organiser's dashboard: what needs attention across their trainings."""
from trainings.attendance.models import AttendanceRecord
from trainings.extensions import db
from trainings.overview.attention import attention_for


def test_dashboard_lists_what_needs_attention(make):
    organiser = make.user("organiser")
    busy = make.training(organiser=organiser, sessions=2, certificate_rule={"min_sessions": 1},
                         title_en="Busy")
    make.training(organiser=organiser, sessions=0, title_en="Calm")
    make.training(organiser=make.user("organiser"), sessions=1)  # someone else's
    make.enrolment(busy, status="applied")
    make.enrolment(busy, status="applied")
    marked = make.enrolment(busy, status="accepted")
    make.enrolment(busy, status="accepted")
    db.session.add(AttendanceRecord(session_id=busy.sessions[0].id, enrolment_id=marked.id,
                                    status="present"))
    db.session.commit()
    entries = attention_for(organiser)
    assert [e.training.title_en for e in entries] == ["Busy", "Calm"]  # their two only
    first, second = entries
    assert first.pending == 2
    assert [(n, missing) for n, _s, missing in first.unmarked] == [(1, 1), (2, 2)]
    assert first.to_certify == 1  # the one present at session 1 meets "1 session"
    assert not second.needs_attention


def test_dashboard_page_for_organisers_only(make, login, client):
    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=1, title_en="Leadership")
    make.enrolment(training, status="applied")
    login(organiser)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Leadership" in page and "1 application waits for your decision" in page
    login(make.user("participant"))
    assert client.get("/dashboard").status_code == 404


def test_dashboard_counts_uploaded_reports_not_applied_yet(make, login, client):
    from trainings.attendance.models import AttendanceImport
    from trainings.db import utcnow

    organiser = make.user("organiser")
    training = make.training(organiser=organiser, sessions=2, title_en="Reports")
    first, second = training.sessions
    db.session.add_all([
        AttendanceImport(token="t-staged", session_id=first.id, platform="zoom", rows=[]),
        AttendanceImport(token="t-applied", session_id=second.id, platform="zoom", rows=[],
                         applied_at=utcnow())])
    db.session.commit()
    (entry,) = attention_for(organiser)
    assert entry.staged_imports == 1 and entry.needs_attention
    login(organiser)
    page = client.get("/dashboard").get_data(as_text=True)
    assert "1 uploaded meeting report is not applied yet" in page


def test_dashboard_queries_do_not_grow_with_trainings(make, login, client, count_queries):
    """Pending applications, unmarked sessions and reports (staged, or applied with rows
    that matched no one) are counted for all trainings at once. (The certificate count
    runs its rule per training with accepted people; these trainings have none.)"""
    from trainings.attendance.models import AttendanceImport
    from trainings.db import utcnow

    def organiser_with(trainings):
        organiser = make.user("organiser")
        for number in range(trainings):
            training = make.training(organiser=organiser, sessions=3)
            make.enrolment(training, status="applied")
            db.session.add(AttendanceImport(
                token=f"t-{organiser.id}-{number}", session_id=training.sessions[0].id,
                platform="zoom", rows=[], applied_at=utcnow(), unmatched_open=1,
                unmatched=[{"key": "name:x", "name": "X", "resolution": None}]))
        db.session.commit()
        return organiser

    counts = []
    for organiser, trainings in ((organiser_with(1), 1), (organiser_with(5), 5)):
        login(organiser)
        with count_queries() as counter:
            page = client.get("/dashboard").get_data(as_text=True)
        assert page.count("1 report row matched no participant") == trainings
        counts.append(counter.count)
        client.post("/logout")
    assert counts[0] == counts[1], counts
