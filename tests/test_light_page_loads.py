"""The training page loads the training with its organisations, quotas and team in one
statement: the page's statements do not grow with them, and each shows once, in order."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import inspect

from trainings.auth.models import User
from trainings.errors import NotFound
from trainings.extensions import db
from trainings.scheduling import services


def test_training_page_statements_do_not_grow_with_organisations_quotas_or_team(app,
        make, login, client, count_queries):
    app.config["PAGE_CACHE_SECONDS"] = 0  # rendering it (kept pages: test_page_cache.py)
    organiser = make.user("organiser")
    small = make.training(organiser=organiser, sessions=2, organisations=("Komnas Perempuan",))
    large = make.training(organiser=organiser, sessions=2,
                          organisations=("Komnas Perempuan", "INFID", "LBH Apik"),
                          quotas={"ID": 10, "PK": 5, "BD": 3},
                          facilitators=[make.user("facilitator", name=f"Fasilitator {i}")
                                        for i in range(3)])
    login(organiser)

    def statements(training):
        client.get(f"/trainings/{training.id}")  # warm: the same request twice
        with count_queries() as counter:
            response = client.get(f"/trainings/{training.id}")
        assert response.status_code == 200
        return counter.statements, response.get_data(as_text=True)

    few, _html = statements(small)
    many, html = statements(large)
    assert len(many) == len(few)
    lazy = [s for s in many if re.match(r"\s*SELECT\s+(training_country_quotas|training_organisations"
                                        r"|training_staff)\.(id|training_id),", s)]
    assert lazy == []  # no lazy load after the training's statement
    assert html.count("Komnas Perempuan, INFID, LBH Apik") == 1
    for i in range(3):
        assert html.count(f"Fasilitator {i}") == 1
    quotas = re.search(r"<dd>([^<]*: 10[^<]*)</dd>", html).group(1)
    assert quotas.count(": ") == 3 and quotas.index(": 3") < quotas.index(": 10") < quotas.index(": 5")


def test_training_page_is_the_training_with_its_collections_once(app, make):
    from trainings.policy import can, training_of
    organiser = make.user("organiser", name="Ana")
    training = make.training(organiser=organiser, organisations=("Komnas Perempuan", "INFID"),
                             quotas={"ID": 10, "PK": 5},
                             facilitators=[make.user("facilitator", name="Budi"),
                                           make.user("facilitator", name="Citra")])
    training_id, title, organiser_id = training.id, training.title_en, organiser.id
    bare = make.training(organisations=(), title_en="Bare").id
    db.session.expunge_all()
    loaded = services.training_page(training_id)
    assert loaded.id == training_id and loaded.title_en == title
    assert loaded.organisations == ["Komnas Perempuan", "INFID"]
    assert loaded.country_quotas == {"ID": 10, "PK": 5}
    assert loaded.organisers == ["Ana"] and loaded.facilitators == ["Budi", "Citra"]
    assert training_of(loaded) is loaded  # the policy takes it for the training
    with app.test_request_context():
        assert can(db.session.get(User, organiser_id), "training.edit", loaded)
    empty = services.training_page(bare)
    assert (empty.title_en, empty.organisations, empty.country_quotas, empty.organisers) == (
        "Bare", [], {}, [])
    with pytest.raises(NotFound):
        services.training_page(training_id + 1000)


def test_my_schedule_does_not_load_facilitators_and_the_api_still_lists_them(
        make, login, client, api, count_queries):
    from trainings.overview.schedule import schedule_for
    facilitator = make.user("facilitator")
    organiser = make.user("organiser")
    participant = make.user()
    make.enrolment(make.training(organiser=organiser, sessions=3, facilitators=[facilitator]),
                   user=participant)
    login(organiser)  # staffed and enrolled queries both run for an organiser
    make.enrolment(make.training(organiser=make.user("organiser"), sessions=2), user=organiser)
    client.get("/me/schedule")
    with count_queries() as counter:
        assert client.get("/me/schedule").status_code == 200
    assert not [s for s in counter.statements if "session_facilitators.session_id" in s]
    # another caller of the read model still gets the facilitators with the sessions
    participant_id = participant.id
    db.session.expunge_all()
    items = schedule_for(db.session.get(User, participant_id))
    assert len(items) == 3
    assert all("facilitators" not in inspect(item.session).unloaded for item in items)
    db.session.expunge_all()
    participant = db.session.get(User, participant_id)
    lean = schedule_for(participant, facilitators=False)
    assert all("facilitators" in inspect(item.session).unloaded for item in lean)
    assert [i.session.id for i in lean] == [i.session.id for i in items]
    body = api(participant).get("/api/v1/me/schedule")
    assert body.status_code == 200, body.json


def test_training_page_is_one_statement_after_the_user_for_every_viewer(app,
        make, login, client, count_queries):
    """The training with its sessions, details, participants' zones and the viewer's ties in
    one statement: whoever looks, however many sessions and people."""
    app.config["PAGE_CACHE_SECONDS"] = 0  # rendering it (kept pages: test_page_cache.py)
    organiser, facilitator = make.user("organiser"), make.user("facilitator")
    small = make.training(organiser=organiser, facilitators=[facilitator], sessions=1)
    large = make.training(organiser=organiser, facilitators=[facilitator], sessions=6,
                          quotas={"ID": 10, "PK": 5})
    participant = make.user()
    for training in (small, large):
        make.enrolment(training, user=participant, timezone="Asia/Jakarta")
    for zone in ("Asia/Karachi", "Asia/Karachi", "Asia/Dhaka", "Pacific/Auckland"):
        make.enrolment(large, timezone=zone)
    make.enrolment(large, status="applied", timezone="Europe/Berlin")
    make.session(large, facilitators=[facilitator])

    def statements(user, training):
        client.post("/logout")
        login(user)
        client.get(f"/trainings/{training.id}")  # warm: the same request twice
        with count_queries() as counter:
            response = client.get(f"/trainings/{training.id}")
        assert response.status_code == 200
        assert counter.statements[0].lstrip().startswith("SELECT users.")  # the user's load
        return [s.split()[1] for s in counter.statements[1:]], response.get_data(as_text=True)

    for user in (organiser, facilitator, participant):
        few, _html = statements(user, small)
        many, html = statements(user, large)
        assert few == many == ["trainings.id,"], user.role
    # the zones read in the training's statement: accepted people only, most common first
    assert "PKT" in html and "CET" not in html
    zones = ["Asia/Karachi", "Asia/Dhaka", "Asia/Jakarta", "Pacific/Auckland"]
    assert services.training_page(large.id).participant_zones == zones
    assert services.participant_zones(large) == zones


def test_the_ties_and_sessions_read_with_the_training_page_are_those_read_alone(app, make):
    from trainings import policy
    organiser, facilitator = make.user("organiser"), make.user("facilitator")
    training = make.training(organiser=organiser, sessions=2)
    make.session(training, facilitators=[facilitator])
    accepted, applied, stranger = make.user(), make.user(), make.user()
    make.enrolment(training, user=accepted)
    make.enrolment(training, user=applied, status="applied")
    admin = make.user("admin")
    for user in (organiser, facilitator, accepted, applied, stranger, admin):
        with app.test_request_context():
            loaded = services.training_page(training.id, user)
            kept = policy.ties(user, loaded)  # from the page's statement
            assert kept == policy._look_up_ties(user.id, training.id), user.role
            assert any(kept.values()) == (user not in (stranger, admin)), user.role
            assert policy.can(user, "training.view", loaded) == (user is not stranger)
            # the sessions read with it are those page_sessions reads, for this viewer
            alone = services.page_sessions(training.id, user.id)
            assert [(n, s.facts, s.viewer_facilitates) for n, s in loaded.sessions] == [
                (n, s.facts, s.viewer_facilitates) for n, s in alone]
            assert [n for n, _s in loaded.sessions] == [1, 2, 3]
            assert any(s.viewer_facilitates for _n, s in loaded.sessions) == (user is facilitator)
    with app.test_request_context():  # no viewer: nothing kept for anyone
        policy.forget_ties()
        services.training_page(training.id)
        assert policy._request_memo() == {}
