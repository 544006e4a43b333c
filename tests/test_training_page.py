"""The training page: sessions as plain rows, who runs which session decided once, the
sessions table shared between viewers who see the same one and never stale
(trainings/scheduling/page.py)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests import factories
from trainings import core
from trainings.enrolment.models import Enrolment
from trainings.extensions import db
from trainings.policy import can
from trainings.scheduling import page, services
from trainings.scheduling.rules import facilitated_sessions


def _table(html: str) -> str:
    found = re.search(r'<table class="sessions">.*?</table>', html, re.S)
    return found.group(0) if found else ""


def _rows(html: str) -> list[str]:
    return re.findall(r"<tr(?: class=\"cancelled\")?>\s*<td>\d+</td>.*?</tr>", _table(html), re.S)


@pytest.fixture
def cast(make):
    organiser = make.user("organiser")
    facilitator = make.user("facilitator")
    training = make.training(organiser=organiser, facilitators=[facilitator], sessions=3)
    accepted = [make.user(), make.user()]
    for user in accepted:
        make.enrolment(training, user=user)
    applied = make.user()
    make.enrolment(training, user=applied, status="applied")
    return {"training": training, "organiser": organiser, "facilitator": facilitator,
            "accepted": accepted, "applied": applied,
            "sessions": sorted(training.sessions, key=lambda s: s.starts_at)}


def _page(client, login, user, training) -> str:
    client.post("/logout")
    login(user)
    response = client.get(f"/trainings/{training.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_one_table_serves_every_participant_in_the_same_language_and_zone(
        app, cast, client, login):
    training, (first, second) = cast["training"], cast["accepted"]
    one = _page(client, login, first, training)
    kept = len(page.kept_tables())
    other = _page(client, login, second, training)
    assert len(page.kept_tables()) == kept  # the second participant's table was the first's
    assert _table(one) == _table(other) and len(_rows(one)) == 3
    assert "Meeting link for session 1" in one and "Roll call" not in one
    organiser = _page(client, login, cast["organiser"], training)
    assert len(page.kept_tables()) == kept + 1  # another table: the organiser runs sessions
    assert "Roll call for session 3" in organiser
    mounted = client.get(f"/trainings/{training.id}", environ_overrides={"SCRIPT_NAME": "/anyam"})
    first = cast["sessions"][0]
    assert f'href="/anyam/sessions/{first.id}/attendance"' in _table(mounted.get_data(as_text=True))
    assert f'href="/sessions/{first.id}/attendance"' in _table(organiser)


def test_the_table_follows_every_change_to_the_sessions(app, cast, client, login):
    training, viewer = cast["training"], cast["accepted"][0]
    first, second, third = cast["sessions"]

    def table() -> str:
        return _table(_page(client, login, viewer, training))

    assert "Session 1" in table()
    first.title_en = "Opening circle"  # edited
    db.session.commit()
    assert "Opening circle" in table() and "Session 1" not in table()
    services.cancel_session(second, actor=cast["organiser"], notify=False)  # cancelled
    db.session.commit()
    assert table().count("<strong>Cancelled</strong>") == 1
    services.reinstate_session(second, actor=cast["organiser"])
    db.session.commit()
    assert "Cancelled" not in table()
    factories.session(training, title_en="Extra meeting",  # added, numbered first
                      starts_at=first.starts_at - timedelta(days=1))
    shown = table()
    assert re.search(r"<td>1</td>\s*<td>Extra meeting", shown) and len(_rows(shown)) == 4
    db.session.delete(third)  # removed
    db.session.commit()
    assert len(_rows(table())) == 3 and "Session 3" not in table()
    first.starts_at += timedelta(hours=1)  # moved in time
    db.session.commit()
    assert "15:00 WIB" in table()
    first.duration_minutes = 30
    db.session.commit()
    assert "15:00 WIB – 15:30 WIB" in table()
    first.meeting_url = "https://meet.example.org/new-room"  # another join link
    db.session.commit()
    assert "https://meet.example.org/new-room" in table()


def test_the_table_follows_modules_venues_and_interpretation(app, cast, client, login):
    training, viewer, first = cast["training"], cast["accepted"][0], cast["sessions"][0]

    def table() -> str:
        return _table(_page(client, login, viewer, training))

    assert "gathering" not in table()
    first.mode, first.venue_name, first.venue_address = "in_person", "Gedung A", "Jl. Merdeka 1"
    first.venue_accessibility_en = "Step-free entrance"
    db.session.commit()
    shown = table()
    assert "In person" in shown and "Gedung A, Jl. Merdeka 1" in shown
    assert "Step-free entrance" in shown
    first.venue_name = "Gedung B"
    db.session.commit()
    assert "Gedung B" in table() and "Gedung A" not in table()
    first.interpretation = ["id-en", "sign:BISINDO"]
    db.session.commit()
    assert "Sign language: BISINDO" in table()
    first.interpretation = ["sign:BISINDO"]
    db.session.commit()
    assert "Sign language: BISINDO" in table() and "Interpretation" not in table()
    if "modules.detail" not in app.view_functions:
        return
    first.module_slug, first.module_version = "safety-basics", None
    db.session.commit()
    assert "/modules/safety-basics" in table()
    first.module_slug, first.module_version = "safety-advanced", 2  # the module moved
    db.session.commit()
    shown = table()
    assert "safety-advanced" in shown and "safety-basics" not in shown and "version=2" in shown


def test_the_table_follows_facilitators_rights_and_enrolments(app, cast, client, login):
    training, facilitator = cast["training"], cast["facilitator"]
    first, second, _third = cast["sessions"]
    stranger = factories.user("facilitator")
    assert "Roll call" not in _table(_page(client, login, facilitator, training))
    first.facilitators.append(facilitator)  # assigned to session 1 only
    db.session.commit()
    shown = _table(_page(client, login, facilitator, training))
    assert f"/sessions/{first.id}/attendance" in shown
    assert f"/sessions/{second.id}/attendance" not in shown
    first.facilitators.remove(facilitator)
    second.facilitators.append(facilitator)
    db.session.commit()
    shown = _table(_page(client, login, facilitator, training))
    assert f"/sessions/{first.id}/attendance" not in shown
    assert f"/sessions/{second.id}/attendance" in shown
    second.facilitators.append(stranger)  # facilitates one session: sees that one only
    db.session.commit()
    shown = _table(_page(client, login, stranger, training))
    assert f"/sessions/{second.id}/attendance" in shown and "Roll call for session 1" not in shown
    # the meeting links: accepted participants, not applicants; then the applicant is accepted
    applied = cast["applied"]
    assert "Meeting link" not in _page(client, login, applied, training)
    accepted = _page(client, login, cast["accepted"][0], training)
    assert "Meeting link for session 1" in accepted
    enrolment = next(e for e in db.session.scalars(db.select(Enrolment))
                     if e.user_id == applied.id)
    enrolment.status = "accepted"
    db.session.commit()
    assert "Meeting link for session 1" in _page(client, login, applied, training)
    enrolment.status = "withdrawn"
    db.session.commit()
    client.post("/logout")
    login(applied)
    assert client.get(f"/trainings/{training.id}").status_code == 403


def test_the_table_follows_language_zones_and_the_clock(app, cast, client, login, monkeypatch):
    training, viewer = cast["training"], cast["accepted"][0]
    english = _table(_page(client, login, viewer, training))
    assert "Session 1" in english and "14:00 WIB" in english and "Held" in english
    viewer.language = "id"
    db.session.commit()
    indonesian = _table(_page(client, login, viewer, training))
    assert "Sesi 1" in indonesian and "Session 1" not in indonesian and "Sudah berlangsung" in indonesian
    viewer.language, viewer.timezone = "en", "Asia/Karachi"  # the viewer's zone
    db.session.commit()
    assert "12:00 PKT" in _table(_page(client, login, viewer, training))
    viewer.timezone = "Asia/Jakarta"
    db.session.commit()
    assert "NZDT" not in _table(_page(client, login, viewer, training))
    factories.enrolment(training, timezone="Pacific/Auckland")  # a participant's zone
    zoned = _table(_page(client, login, viewer, training))
    assert "14:00 WIB · 20:00 NZDT" in zoned
    training.timezone = "Asia/Makassar"  # the home zone leads the line
    db.session.commit()
    assert "15:00 WITA · 14:00 WIB · 20:00 NZDT" in _table(_page(client, login, viewer, training))
    training.timezone = "Asia/Jakarta"
    db.session.commit()
    # the clock: a session still to come is "Scheduled" until it has ended
    later = cast["sessions"][2]
    later.starts_at = page.utcnow() + timedelta(hours=1)
    db.session.commit()
    soon = _page(client, login, viewer, training)
    assert _rows(soon)[2].count("Scheduled") == 1
    monkeypatch.setattr(page, "utcnow", lambda: later.ends_at + timedelta(minutes=1))
    assert "Scheduled" not in _table(_page(client, login, viewer, training))


def test_who_runs_which_session_is_the_attendance_mark_rule(app, cast, make):
    training, first = cast["training"], cast["sessions"][0]
    first.facilitators.append(cast["facilitator"])
    db.session.commit()
    admin = make.user("admin")
    people = [cast["organiser"], cast["facilitator"], admin, cast["applied"], *cast["accepted"],
              make.user("facilitator")]
    with app.test_request_context():
        for person in people:
            rows = services.page_sessions(training.id, person.id)
            expected = {s.id for s in cast["sessions"] if can(person, "attendance.mark", s)}
            assert facilitated_sessions(person, training, rows) == expected, person.role
        assert facilitated_sessions(cast["facilitator"], training, services.page_sessions(
            training.id, cast["facilitator"].id)) == {first.id}


def test_page_rows_are_the_numbered_sessions(app, cast):
    training = cast["training"]
    db.session.expire_all()
    numbered = services.numbered_sessions(training)
    rows = services.page_sessions(training.id, None)
    assert [(n, s.id) for n, s in rows] == [(n, s.id) for n, s in numbered]
    for (_n, row), (_m, session) in zip(rows, numbered, strict=True):
        assert row.ends_at == session.ends_at and row.title("id") == session.title("id")
        assert row.has_taken_place == session.has_taken_place and not row.viewer_facilitates


def test_statements_do_not_grow_with_sessions_or_their_facilitators(app,
        make, login, client, count_queries):
    app.config["PAGE_CACHE_SECONDS"] = 0  # rendering it (kept pages: test_page_cache.py)
    organiser, facilitators = make.user("organiser"), [make.user("facilitator") for _ in range(3)]
    small = make.training(organiser=organiser, sessions=1)
    large = make.training(organiser=organiser, sessions=8)
    for session in large.sessions:
        session.facilitators.extend(facilitators)
    db.session.commit()
    login(organiser)

    def statements(training):
        client.get(f"/trainings/{training.id}")
        with count_queries() as counter:
            assert client.get(f"/trainings/{training.id}").status_code == 200
        return counter.statements

    few, many = statements(small), statements(large)
    assert len(few) == len(many)
    assert not [s for s in many if re.match(r"\s*SELECT session_facilitators", s)]


def test_kept_tables_are_bounded_least_recently_used_first():
    tables = page.Tables(limit=100)
    tables.put("a", "x" * 40)
    tables.put("b", "y" * 40)
    assert tables.get("a") == "x" * 40  # "b" is now the least recently used
    tables.put("c", "z" * 40)
    assert tables.get("b") is None and tables.get("a") and tables.get("c")
    assert tables.size <= 100 and len(tables) == 2
    tables.put("huge", "w" * 200)  # bigger than the whole limit: not kept
    assert tables.get("huge") is None and len(tables) == 2


def test_nothing_kept_when_switched_off(app_factory, make):
    app = app_factory(TRAINING_PAGE_FRAGMENTS_CHARS=0)
    with app.app_context():
        organiser = make.user("organiser")
        training = make.training(organiser=organiser, sessions=2)
        client = app.test_client()
        client.post("/login", data={"email": organiser.email, "password": factories.PASSWORD})
        for _ in range(2):
            html = client.get(f"/trainings/{training.id}").get_data(as_text=True)
            assert "Roll call for session 2" in html
            assert f'href="/trainings/{training.id}/edit"' in html
        assert len(app.extensions["anyam.fragments.sessions_table"]) == 0
        assert len(app.extensions["anyam.fragments.training_nav"]) == 0
        assert len(app.extensions["anyam.fragments.training_facts"]) == 0


@pytest.mark.parametrize("who", ["organiser", "facilitator", "applied", "accepted"])
def test_training_nav_asks_each_rule_once_and_answers_as_each_action(app, cast, who, monkeypatch):
    from flask import url_for
    from flask_login import login_user
    person = cast[who][0] if who == "accepted" else cast[who]
    training = cast["training"]
    asked = []
    real_can = core.can
    monkeypatch.setattr(core, "can", lambda actor, action, obj=None: asked.append(action)
                        or real_can(actor, action, obj))
    with app.test_request_context(f"/trainings/{training.id}"):
        login_user(person)
        shown = {item["url"] for item in core.training_nav(training)}
        expected = {url_for(endpoint, training_id=training.id)
                    for endpoint, _label, needed in core.TRAINING_NAV
                    if endpoint in app.view_functions and real_can(person, needed, training)}
    assert shown == expected
    present = [needed for endpoint, _l, needed in core.TRAINING_NAV if endpoint in app.view_functions]
    assert len(asked) < len(present)
    assert len(asked) == len({id(core.RULES[a]) for a in present})


def test_plain_rows_see_the_pending_changes_of_the_session(app, cast):
    training, first = cast["training"], cast["sessions"][0]
    first.title_en = "Not yet flushed"
    factories.session(training, title_en="Pending", commit=False)
    titles = [s.title_en for _n, s in services.page_sessions(training.id, None)]
    assert "Not yet flushed" in titles and "Pending" in titles
    db.session.rollback()
    assert "Pending" not in [s.title_en for _n, s in services.page_sessions(training.id, None)]


def _nav(html: str) -> str:
    found = re.search(r'<nav class="subnav".*?</nav>', html, re.S)
    return found.group(0) if found else ""


def test_the_sub_navigation_is_shared_and_follows_rights_language_page_and_root(
        app, cast, client, login, make):
    training, (first, second) = cast["training"], cast["accepted"]
    nav = page.fragments("training_nav")
    mine = _nav(_page(client, login, first, training))
    count = len(nav)
    assert _nav(_page(client, login, second, training)) == mine and len(nav) == count
    assert f'href="/trainings/{training.id}/my-enrolment"' in mine or "My enrolment" in mine
    assert "Participants" not in mine and 'aria-current="page">Overview' in mine
    organiser = _nav(_page(client, login, cast["organiser"], training))
    assert "Participants" in organiser and len(nav) == count + 1
    other = make.training(organiser=cast["organiser"])  # another training: its own links
    assert f"/trainings/{other.id}/edit" in _nav(client.get(f"/trainings/{other.id}").get_data(
        as_text=True))
    listing = client.get(f"/trainings/{training.id}/participants").get_data(as_text=True)
    assert 'aria-current="page">Participants' in _nav(listing)  # another page: another mark
    mounted = client.get(f"/trainings/{training.id}", environ_overrides={"SCRIPT_NAME": "/x"})
    assert f'href="/x/trainings/{training.id}/edit"' in _nav(mounted.get_data(as_text=True))
    cast["organiser"].language = "id"
    db.session.commit()
    assert "Peserta" in _nav(_page(client, login, cast["organiser"], training))
    # rights: the participant made an organiser of the training sees its pages at once
    services.add_staff(training, first.email, "organiser", actor=cast["organiser"])
    db.session.commit()
    assert "Participants" in _nav(_page(client, login, first, training))


def _facts(html: str) -> str:
    found = re.search(r'</nav>\s*(<p>.*?</p>\s*<dl class="facts">.*?</dl>\s*<h2>.*?</h2>\s*'
                      r'<p class="muted">.*?</p>)', html, re.S)
    return found.group(1) if found else ""


def test_the_facts_are_shared_and_follow_every_change(app, cast, client, login, make):
    training, (first, second), organiser = cast["training"], cast["accepted"], cast["organiser"]
    kept = page.fragments("training_facts")

    def facts(viewer=first) -> str:
        return _facts(_page(client, login, viewer, training))

    mine = facts()
    count = len(kept)
    assert "About it" in mine and "Komnas Perempuan, INFID" in mine and "Asia/Jakarta (WIB)" in mine
    assert facts(second) == mine and len(kept) == count  # the second participant's are the first's
    assert facts(organiser) == mine  # the organiser reads the same facts
    training.description_en, training.capacity = "What it is about", 25
    db.session.commit()
    changed = facts()
    assert "What it is about" in changed and "<dd>25</dd>" in changed and "About it" not in changed
    training.quotas.append(factories.TrainingCountryQuota(country_code="PK", places=4))
    training.organisation_links[0].organisation.name = "Komnas HAM"
    db.session.commit()
    assert "Pakistan: 4" in facts() and "Komnas HAM, INFID" in facts()
    organiser.name = "Ana Organiser"  # the team's names
    db.session.commit()
    assert "Ana Organiser" in facts()
    services.add_staff(training, make.user("facilitator", name="Budi Fasilitator").email,
                       "facilitator", actor=organiser)
    db.session.commit()
    assert "Budi Fasilitator" in facts()
    first.timezone = "Asia/Karachi"  # the viewer's zone
    db.session.commit()
    assert "Times are shown in Asia/Karachi (PKT)" in facts()
    first.language = "id"
    db.session.commit()
    assert "Tentangnya" in facts() and "What it is about" not in facts()
    training.timezone = "Asia/Makassar"  # the home zone
    db.session.commit()
    assert "Asia/Makassar (WITA)" in facts(second)
